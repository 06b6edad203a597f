import { z } from 'zod';
import type { MessageDefinition, MessageKind } from '@stitch/messaging-catalogue';
import type { Envelope } from './envelope';
import { describeIssues } from './errors';
import type { OutgoingMessage } from './transport';

/** The media type of a structured-mode CloudEvent in JSON. */
export const CLOUDEVENTS_JSON = 'application/cloudevents+json';

/**
 * Every Stitch service's `source`: `/stitch/<service>`, a URI reference (relative, no scheme) that names the
 * producer the same way on every transport and in every environment; the shop instance is told apart by its
 * topology, not by the event.
 */
export const SOURCE_PREFIX = '/stitch/';

/**
 * An envelope on the wire: a CloudEvent 1.0 in the JSON event format (structured mode). Stitch's own fields are
 * extension attributes, named as CloudEvents requires (lower-case a-z and 0-9): `kind`, `correlationid`,
 * `causationid`; `traceparent` and `tracestate` are the distributed-tracing extension's.
 */
export interface CloudEventJson<TData = unknown> {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly kind: MessageKind;
  readonly correlationid: string;
  readonly causationid: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
  readonly data: TData;
}

export function sourceOf(service: string): string {
  return `${SOURCE_PREFIX}${encodeURIComponent(service)}`;
}

/** The service a `/stitch/<service>` source names; any other source is kept as it is. */
export function serviceOfSource(source: string): string {
  if (!source.startsWith(SOURCE_PREFIX) || source.length === SOURCE_PREFIX.length) return source;
  try {
    return decodeURIComponent(source.slice(SOURCE_PREFIX.length));
  } catch {
    return source;
  }
}

export function toCloudEvent<TData>(envelope: Envelope<TData>): CloudEventJson<TData> {
  return {
    specversion: '1.0',
    id: envelope.id,
    source: sourceOf(envelope.source),
    type: envelope.type,
    time: envelope.time,
    datacontenttype: 'application/json',
    kind: envelope.kind,
    correlationid: envelope.correlationId,
    causationid: envelope.causationId,
    ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
    ...(envelope.traceparent && envelope.tracestate ? { tracestate: envelope.tracestate } : {}),
    data: envelope.data,
  };
}

/** The body every transport carries and the outbox stores. */
export function serializeEnvelope(envelope: Envelope): string {
  return JSON.stringify(toCloudEvent(envelope));
}

/** What a transport is handed for an envelope; the transport-level id, type and correlation id repeat the event's. */
export function toOutgoingMessage(envelope: Envelope): OutgoingMessage {
  return { messageId: envelope.id, type: envelope.type, correlationId: envelope.correlationId, body: serializeEnvelope(envelope) };
}

const id = z.string().min(1).max(200);

/** The CloudEvent as Stitch reads it off the wire (what it writes is `CloudEventJson`, a stricter case of it). */
export const cloudEventSchema = z.object({
  specversion: z.literal('1.0'),
  id,
  source: z.string().min(1).max(200),
  type: id,
  time: z.iso.datetime({ offset: true }),
  // The data is JSON; the JSON event format lets a producer leave that implied.
  datacontenttype: z
    .string()
    .regex(/^application\/json\s*(;.*)?$/i, 'the data must be application/json')
    .optional(),
  kind: z.enum(['command', 'event']),
  correlationid: id,
  causationid: id,
  traceparent: z.string().max(200).optional(),
  tracestate: z.string().max(512).optional(),
  data: z.unknown(),
});

/**
 * One message type as Stitch writes it on the wire: its type and kind fixed, its source one of the services the
 * catalogue lets emit it (the bus refuses any other), its data the message's own schema.
 */
export function messageCloudEventSchema(definition: MessageDefinition) {
  // The catalogue refuses a command without senders, so the list is never empty.
  const senders = definition.kind === 'command' ? definition.senders : [definition.publisher];
  return cloudEventSchema.extend({
    type: z.literal(definition.type),
    kind: z.literal(definition.kind),
    source: z.enum(senders.map(sourceOf) as [string, ...string[]]),
    datacontenttype: z.literal('application/json'),
    data: definition.schema,
  });
}

/**
 * The envelope as Stitch wrote it before it was a CloudEvent. Such messages may still wait in queues, outboxes and
 * dead-letter queues after an upgrade, so they are read as ever: see docs/reliability.md for how long this stays.
 */
const earlierEnvelopeSchema = z.object({
  id,
  type: id,
  kind: z.enum(['command', 'event']),
  source: z.string().min(1).max(200),
  time: z.iso.datetime({ offset: true }),
  correlationId: id,
  causationId: id,
  traceparent: z.string().max(200).optional(),
  data: z.unknown(),
});

export type ParsedEnvelope =
  { readonly envelope: Envelope; readonly format: 'cloudevent' | 'earlier' } | { readonly problem: string; readonly format?: undefined };

/**
 * Reads a body already parsed from JSON: a CloudEvent as Stitch writes it, or an envelope of the earlier shape,
 * mapped to the same `Envelope`. Anything else is described as a CloudEvent that is not valid.
 */
export function parseEnvelope(json: unknown): ParsedEnvelope {
  const isObject = typeof json === 'object' && json !== null && !Array.isArray(json);
  if (isObject && !('specversion' in json)) {
    const earlier = earlierEnvelopeSchema.safeParse(json);
    if (earlier.success) {
      const { traceparent, ...fields } = earlier.data;
      return { envelope: { ...fields, ...(traceparent ? { traceparent } : {}) }, format: 'earlier' };
    }
  }
  const parsed = cloudEventSchema.safeParse(json);
  if (!parsed.success) return { problem: `not a CloudEvent: ${describeIssues(parsed.error.issues)}` };
  const event = parsed.data;
  return {
    envelope: {
      id: event.id,
      type: event.type,
      kind: event.kind,
      source: serviceOfSource(event.source),
      time: event.time,
      correlationId: event.correlationid,
      causationId: event.causationid,
      ...(event.traceparent ? { traceparent: event.traceparent } : {}),
      ...(event.traceparent && event.tracestate ? { tracestate: event.tracestate } : {}),
      data: event.data,
    },
    format: 'cloudevent',
  };
}
