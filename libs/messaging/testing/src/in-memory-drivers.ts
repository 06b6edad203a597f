import { EVENTS_TOPIC, type CommandDefinition, type MessageData } from '@stitch/messaging-catalogue';
import { createEnvelope, parseEnvelope, toOutgoingMessage, type Envelope, type FlowRecord } from '@stitch/messaging-core';
import type { InMemoryTransport } from '@stitch/messaging-core/testing';

export type SendCommand = <D extends CommandDefinition>(
  transport: InMemoryTransport,
  command: D,
  data: MessageData<D>,
  id?: string,
) => Promise<string>;

/**
 * Sends commands to their owner's queue as the `source` service would, so a test can drive one service without
 * the others; `id` repeats a message id. Each send returns the message id; a command `source` does not send is
 * refused.
 */
export function commandSender(source: string): SendCommand {
  return async (transport, command, data, id) => {
    // The same rule the bus keeps, so a stand-in cannot send what the service it stands in for may not.
    if (!command.senders.includes(source)) {
      throw new Error(`${source} may not send ${command.type}: its senders are ${command.senders.join(', ')}`);
    }
    const envelope = { ...createEnvelope({ type: command.type, kind: 'command', source, data }), ...(id ? { id } : {}) };
    await transport.send({ kind: 'queue', name: command.owner }, [toOutgoingMessage(envelope)]);
    return envelope.id;
  };
}

/** Every event the subscriber's subscription receives, as it arrives: what a service under test published to it. */
export async function receivedBy(transport: InMemoryTransport, subscriber: string): Promise<Envelope[]> {
  const received: Envelope[] = [];
  await transport.receive(
    { kind: 'subscription', topic: EVENTS_TOPIC, name: subscriber },
    async (delivery) => {
      received.push(envelopeOf(delivery.message.body));
      await delivery.complete();
    },
    { concurrency: 1, lockMs: 1_000 },
  );
  return received;
}

/** The flow records of every message the services on this transport settle, as they arrive. */
export async function flowRecords(transport: InMemoryTransport): Promise<FlowRecord[]> {
  const records: FlowRecord[] = [];
  await transport.flow.subscribe((record) => records.push(JSON.parse(record) as FlowRecord));
  return records;
}

/** A body as the consumer reads it; a test fails on one it could not read. */
export function envelopeOf(body: string): Envelope {
  const read = parseEnvelope(JSON.parse(body));
  if (read.format === undefined) throw new Error(`${read.problem}: ${body}`);
  return read.envelope;
}
