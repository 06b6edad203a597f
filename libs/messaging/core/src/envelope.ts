import { randomUUID } from 'node:crypto';
import type { MessageKind } from '@stitch/messaging-catalogue';

/**
 * A message as the code sees it. On the wire (every transport, and the outbox) it travels as a structured-mode
 * CloudEvent 1.0 (`cloud-event.ts` maps between the two); it is the body because EventBridge has no headers.
 */
export interface Envelope<TData = unknown> {
  readonly id: string;
  readonly type: string;
  readonly kind: MessageKind;
  /** The service that sent or published it; on the wire the URI reference `/stitch/<service>`. */
  readonly source: string;
  readonly time: string;
  /** Shared by every message of one business flow (a sign-up, a checkout). */
  readonly correlationId: string;
  /** The id of the message (or request) that caused this one; a root message names itself. */
  readonly causationId: string;
  /** W3C trace context, carried as the CloudEvents distributed-tracing extension. */
  readonly traceparent?: string;
  readonly tracestate?: string;
  readonly data: TData;
}

export interface EnvelopeOrigin {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
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
    // tracestate only means something beside the traceparent it belongs to.
    ...(origin.traceparent && origin.tracestate ? { tracestate: origin.tracestate } : {}),
    data: fields.data,
  };
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The trace id of a W3C `traceparent`, or undefined when there is none or it is malformed (or all zeros). */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  const traceId = traceparent ? TRACEPARENT.exec(traceparent)?.[1] : undefined;
  return traceId && !/^0+$/.test(traceId) ? traceId : undefined;
}
