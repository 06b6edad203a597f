import pino from 'pino';
import type { Catalogue } from '@stitch/messaging-catalogue';
import { MessageConsumer, type Transport } from '@stitch/messaging-core';
import type { ConsumerTally } from './consumer-process';

/**
 * The real core consumer of `worker` on a started transport, each message counted with its send time (the `sentAt` of
 * its data); returns what stops it and closes the transport.
 */
export async function consumeAsWorker(
  transport: Transport,
  catalogue: Catalogue,
  tally: ConsumerTally,
  options: { readonly concurrency: number; readonly lockMs: number },
): Promise<() => Promise<void>> {
  const handle = async (envelope: { data: unknown }) => tally.handled((envelope.data as { sentAt: number }).sentAt);
  const consumer = new MessageConsumer({
    transport,
    catalogue,
    service: 'worker',
    instance: `worker-${process.pid}`,
    handlers: new Map(catalogue.messages.map((definition) => [definition.type, handle])),
    logger: pino({ level: 'silent' }),
    concurrency: options.concurrency,
    lockMs: options.lockMs,
  });
  await consumer.start();
  return async () => {
    await consumer.stop();
    await transport.close();
  };
}
