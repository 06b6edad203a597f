import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { MessageDefinition, MessageKind } from '@stitch/messaging-catalogue';

/** CloudEvents-aligned; travels in the body because EventBridge has no headers. */
export interface Envelope<TData = unknown> {
  readonly id: string;
  readonly type: string;
  readonly kind: MessageKind;
  /** The service that sent or published it. */
  readonly source: string;
  readonly time: string;
  /** Shared by every message of one business flow (a sign-up, a checkout). */
  readonly correlationId: string;
  /** The id of the message (or request) that caused this one; a root message names itself. */
  readonly causationId: string;
  readonly traceparent?: string;
  readonly data: TData;
}

export const envelopeSchema = z.object({
  id: z.string().min(1).max(200),
  type: z.string().min(1).max(200),
  kind: z.enum(['command', 'event']),
  source: z.string().min(1).max(200),
  time: z.iso.datetime({ offset: true }),
  correlationId: z.string().min(1).max(200),
  causationId: z.string().min(1).max(200),
  traceparent: z.string().max(200).optional(),
  data: z.unknown(),
});

/**
 * The envelope of one message type as it travels: its type and kind fixed, its source one of the services the
 * catalogue lets emit it (the bus refuses any other), its data the message's own schema.
 */
export function messageEnvelopeSchema(definition: MessageDefinition) {
  // The catalogue refuses a command without senders, so the list is never empty.
  const sources = (definition.kind === 'command' ? definition.senders : [definition.publisher]) as readonly [string, ...string[]];
  return envelopeSchema.extend({
    type: z.literal(definition.type),
    kind: z.literal(definition.kind),
    source: z.enum(sources),
    data: definition.schema,
  });
}

export interface EnvelopeOrigin {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly traceparent?: string;
}

export function createEnvelope<TData>(
  fields: { type: string; kind: MessageKind; source: string; data: TData },
  origin: EnvelopeOrigin = {},
  now: Date = new Date(),
): Envelope<TData> {
  const id = randomUUID();
  return {
    id,
    type: fields.type,
    kind: fields.kind,
    source: fields.source,
    time: now.toISOString(),
    correlationId: origin.correlationId ?? id,
    causationId: origin.causationId ?? origin.correlationId ?? id,
    ...(origin.traceparent ? { traceparent: origin.traceparent } : {}),
    data: fields.data,
  };
}
