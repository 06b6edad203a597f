import { CloudEvent } from 'cloudevents';
import { parseEnvelope, serializeEnvelope, serviceOfSource, sourceOf, toCloudEvent } from './cloud-event';
import { createEnvelope, traceIdOf } from './envelope';
import { earlierEnvelopeBody, readStructuredCloudEvent } from '../testing';

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const envelope = createEnvelope(
  { type: 'inventory.reserve-stock.v1', kind: 'command', source: 'order-service', data: { orderId: 'o-1', items: [] } },
  { correlationId: 'checkout-1', causationId: 'place-1', traceparent, tracestate: 'vendor=abc' },
  new Date('2026-12-01T10:00:00.000Z'),
);

describe('the envelope on the wire', () => {
  it('is a valid structured-mode CloudEvent 1.0 with Stitch fields as lower-case extension attributes', () => {
    expect(toCloudEvent(envelope)).toEqual({
      specversion: '1.0',
      id: envelope.id,
      source: '/stitch/order-service',
      type: 'inventory.reserve-stock.v1',
      time: '2026-12-01T10:00:00.000Z',
      datacontenttype: 'application/json',
      kind: 'command',
      correlationid: 'checkout-1',
      causationid: 'place-1',
      traceparent,
      tracestate: 'vendor=abc',
      data: { orderId: 'o-1', items: [] },
    });
    const event = readStructuredCloudEvent(serializeEnvelope(envelope));
    expect(event.specversion).toBe('1.0');
    expect(event.traceparent).toBe(traceparent);
    // The SDK's own constructor, strict, takes it as it is.
    expect(() => new CloudEvent(JSON.parse(serializeEnvelope(envelope)) as Record<string, unknown>)).not.toThrow();
  });

  it('reads back to the same envelope', () => {
    expect(parseEnvelope(JSON.parse(serializeEnvelope(envelope)))).toEqual({ envelope, format: 'cloudevent' });
  });

  it('reads an envelope of the earlier shape as the same envelope', () => {
    const { tracestate: _notInTheEarlierShape, ...earlier } = envelope;
    expect(parseEnvelope(JSON.parse(earlierEnvelopeBody(envelope)))).toEqual({ envelope: earlier, format: 'earlier' });
  });

  it('names what is wrong with anything else, as a CloudEvent', () => {
    expect(parseEnvelope({ hello: 'world' })).toEqual({ problem: expect.stringMatching(/^not a CloudEvent: specversion: .*id: /) });
    const noKind = { ...toCloudEvent(envelope), kind: undefined };
    expect(parseEnvelope(JSON.parse(JSON.stringify(noKind)))).toEqual({ problem: expect.stringMatching(/^not a CloudEvent: kind: /) });
    const xml = { ...toCloudEvent(envelope), datacontenttype: 'application/xml' };
    expect(parseEnvelope(xml)).toEqual({ problem: 'not a CloudEvent: datacontenttype: the data must be application/json' });
    expect(parseEnvelope([1])).toEqual({ problem: expect.stringMatching(/^not a CloudEvent: /) });
  });

  it('accepts a CloudEvent that leaves the JSON data content type implied', () => {
    const { datacontenttype: _implied, ...event } = toCloudEvent(envelope);
    expect(parseEnvelope(event)).toEqual({ envelope, format: 'cloudevent' });
  });

  it('names a service as the URI reference /stitch/<service>, and keeps a source of another scheme as it is', () => {
    expect(sourceOf('order-service')).toBe('/stitch/order-service');
    expect(serviceOfSource('/stitch/order-service')).toBe('order-service');
    expect(serviceOfSource('urn:example:billing')).toBe('urn:example:billing');
    expect(serviceOfSource('/stitch/')).toBe('/stitch/');
  });

  it('carries tracestate only beside a traceparent', () => {
    const lone = createEnvelope({ type: 't.x.v1', kind: 'event', source: 's', data: {} }, { tracestate: 'vendor=abc' });
    expect(toCloudEvent(lone)).not.toHaveProperty('tracestate');
    expect(lone).not.toHaveProperty('tracestate');
  });
});

describe('traceIdOf', () => {
  it('is the trace id of a W3C traceparent, or nothing', () => {
    expect(traceIdOf(traceparent)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(traceIdOf(undefined)).toBeUndefined();
    expect(traceIdOf('not-a-traceparent')).toBeUndefined();
    expect(traceIdOf('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeUndefined();
  });
});
