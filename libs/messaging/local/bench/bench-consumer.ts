/** One benchmark consumer process: the real core consumer on the embedded transport. */
import pino from 'pino';
import { MessageConsumer } from '@stitch/messaging-core';
import { benchCatalogue, consumerOptions, Ping, serveConsumer } from '@stitch/bench-testing';
import { createLocalTransport } from '../src';

const { file, concurrency } = consumerOptions<{ file: string; concurrency: number }>();

void serveConsumer(async (tally) => {
  const transport = createLocalTransport({ topology: benchCatalogue.topology(), file });
  await transport.start();
  const consumer = new MessageConsumer({
    transport,
    catalogue: benchCatalogue,
    service: 'worker',
    instance: `worker-${process.pid}`,
    handlers: new Map([[Ping.type, async (envelope) => tally.handled((envelope.data as { sentAt: number }).sentAt)]]),
    logger: pino({ level: 'silent' }),
    concurrency,
    lockMs: 30_000,
  });
  await consumer.start();
  return async () => {
    await consumer.stop();
    await transport.close();
  };
});
