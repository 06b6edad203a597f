import type { Catalogue } from '@stitch/messaging-catalogue';
import { MessageBus, type Destination, type OutgoingMessage, type Transport } from '@stitch/messaging-core';
import { Ping } from './bench-catalogue';
import type { QueueUnderTest } from './measure';

export type Emit = (bus: MessageBus, ping: Ping) => Promise<unknown>;

/**
 * The driver's sends through the real `MessageBus` (catalogue lookup, schema check, envelope) into `transport`: a batch
 * as one transport call, as the outbox relay sends what a commit wrote, or each message as a call of its own.
 */
export function busSends(
  transport: Pick<Transport, 'send' | 'capabilities'>,
  catalogue: Catalogue,
  destination: Destination,
  emit: Emit = (bus, ping) => bus.send(Ping, ping),
): Pick<QueueUnderTest, 'sendBatch' | 'send'> {
  let batch: OutgoingMessage[] = [];
  const options = { catalogue, service: 'driver', maxDelayMs: transport.capabilities.maxDelayMs };
  const batching = new MessageBus({ ...options, dispatcher: { dispatch: async (_to, message) => void batch.push(message) } });
  const direct = new MessageBus({ ...options, dispatcher: { dispatch: (to, message) => transport.send(to, [message]) } });
  return {
    async sendBatch(pings) {
      for (const ping of pings) await emit(batching, ping);
      const messages = batch;
      batch = [];
      await transport.send(destination, messages);
    },
    async send(ping) {
      await emit(direct, ping);
    },
  };
}
