import { CloudEvent, HTTP } from 'cloudevents';
import type { Envelope } from '../src/envelope';

const REQUIRED = ['specversion', 'id', 'source', 'type'] as const;

/**
 * Reads a body taken off the wire as the CloudEvents SDK reads a structured-mode CloudEvent, and validates it
 * against the CloudEvents 1.0 schema. The SDK fills in a missing id or time, so the attributes Stitch must write
 * are checked in the raw JSON first. Throws, naming what is wrong.
 */
export function readStructuredCloudEvent(body: string): CloudEvent<unknown> {
  const raw = JSON.parse(body) as Record<string, unknown>;
  const missing = [...REQUIRED, 'time', 'datacontenttype'].filter((name) => typeof raw[name] !== 'string');
  if (missing.length > 0) throw new Error(`not a structured CloudEvent: ${missing.join(', ')} missing in ${body}`);
  const badNames = Object.keys(raw).filter((name) => !/^[a-z0-9]+$/.test(name));
  if (badNames.length > 0) throw new Error(`CloudEvents attribute names are a-z and 0-9 only: ${badNames.join(', ')}`);
  const event = HTTP.toEvent<unknown>({ headers: { 'content-type': 'application/cloudevents+json' }, body });
  if (!(event instanceof CloudEvent)) throw new Error('not one CloudEvent (a batch?)');
  event.validate();
  return event;
}

/** The body Stitch wrote before its envelope was a CloudEvent: for tests of messages still waiting in that shape. */
export function earlierEnvelopeBody(envelope: Envelope): string {
  const { id, type, kind, source, time, correlationId, causationId, traceparent, data } = envelope;
  return JSON.stringify({ id, type, kind, source, time, correlationId, causationId, ...(traceparent ? { traceparent } : {}), data });
}
