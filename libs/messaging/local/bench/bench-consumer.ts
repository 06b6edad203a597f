/**
 * One benchmark consumer process: the real core consumer on the embedded transport. It reports counts and
 * latencies in batches, not per message, so IPC does not become what is measured.
 */
import pino from 'pino';
import { MessageConsumer } from '@stitch/messaging-core';
import { createLocalTransport } from '../src';
import { benchCatalogue, Ping, preciseNow } from './bench-catalogue';

const { file, concurrency } = JSON.parse(process.argv[2] ?? '{}') as { file: string; concurrency: number };

async function main(): Promise<void> {
  const transport = createLocalTransport({ topology: benchCatalogue.topology(), file });
  await transport.start();
  let handled = 0;
  let latencies: number[] = [];
  const consumer = new MessageConsumer({
    transport,
    catalogue: benchCatalogue,
    service: 'worker',
    instance: `worker-${process.pid}`,
    handlers: new Map([
      [
        Ping.type,
        async (envelope) => {
          latencies.push(preciseNow() - (envelope.data as { sentAt: number }).sentAt);
          handled += 1;
        },
      ],
    ]),
    logger: pino({ level: 'silent' }),
    concurrency,
    lockMs: 30_000,
  });
  await consumer.start();
  const flush = () => {
    if (handled === 0 && latencies.length === 0) return;
    process.send?.({ handled, latencies });
    handled = 0;
    latencies = [];
  };
  const timer = setInterval(flush, 100);
  process.send?.('ready');
  process.on('message', (message) => {
    if (message === 'stop') {
      clearInterval(timer);
      void consumer.stop().then(async () => {
        flush();
        await transport.close();
        process.exit(0);
      });
    }
  });
}

void main();
