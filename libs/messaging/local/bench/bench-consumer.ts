/** One benchmark consumer process: the real core consumer on the embedded transport. */
import pino from 'pino';
import { MessageConsumer } from '@stitch/messaging-core';
import { consumerOptions, serveConsumer } from '@stitch/bench-testing';
import { createLocalTransport } from '../src';
import { benchCatalogue, Ping } from './bench-catalogue';

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
