import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import {
  assertFits,
  attemptOf,
  CONTENT_TYPE,
  MessageTooLargeError,
  Props,
  replayCopy,
  retryCopy,
  toIncomingMessage,
  toServiceBusMessage,
} from './mapping';

const outgoing = {
  messageId: 'm-1',
  type: 'order.order-placed.v1',
  correlationId: 'c-1',
  body: '{"id":"m-1","data":{"note":"ünïcode"}}',
  headers: { traceparent: '00-abc-def-01', 'stitch-deliver-at': '123' },
};

function received(overrides: Partial<ServiceBusReceivedMessage> = {}): ServiceBusReceivedMessage {
  const sent = toServiceBusMessage(outgoing);
  return {
    ...sent,
    deliveryCount: 0,
    enqueuedTimeUtc: new Date(1_000),
    state: 'active',
    _rawAmqpMessage: { body: sent.body },
    ...overrides,
  };
}

describe('envelope ↔ ServiceBusMessage', () => {
  it('maps id, type, correlation id, content type and headers to their Service Bus places, the body as UTF-8 bytes', () => {
    const message = toServiceBusMessage(outgoing);
    expect(message).toMatchObject({ messageId: 'm-1', subject: 'order.order-placed.v1', correlationId: 'c-1', contentType: CONTENT_TYPE });
    expect(message.applicationProperties).toEqual(outgoing.headers);
    expect(Buffer.isBuffer(message.body) && message.body.toString('utf8')).toBe(outgoing.body);
  });

  it('reads back exactly what was sent, without the transport’s own properties', () => {
    const incoming = toIncomingMessage(received({ applicationProperties: { ...outgoing.headers, [Props.priorAttempts]: 2 } }));
    expect(incoming).toEqual({
      messageId: 'm-1',
      type: outgoing.type,
      correlationId: 'c-1',
      body: outgoing.body,
      headers: outgoing.headers,
      enqueuedAt: 1_000,
    });
  });

  it('refuses a header in the transport’s reserved namespace', () => {
    expect(() => toServiceBusMessage({ ...outgoing, headers: { [Props.priorAttempts]: '9' } })).toThrow(/reserved prefix "asb-"/);
  });

  it('refuses before sending a message above the tier’s limit, naming it and both sizes', () => {
    const big = toServiceBusMessage({ ...outgoing, body: 'x'.repeat(300 * 1024) });
    expect(() => assertFits(big, 256 * 1024)).toThrow(MessageTooLargeError);
    expect(() => assertFits(big, 256 * 1024)).toThrow(
      /message m-1 \(order\.order-placed\.v1\) is about \d+ bytes, more than the 262144 bytes/,
    );
    expect(() => assertFits(toServiceBusMessage(outgoing), 256 * 1024)).not.toThrow();
  });
});

describe('attempts', () => {
  it('is the SDK’s deliveryCount (deliveries before this one) plus one, plus those carried by a retry copy', () => {
    expect(attemptOf({ deliveryCount: 0 })).toBe(1);
    expect(attemptOf({ deliveryCount: 1 })).toBe(2);
    expect(attemptOf({ deliveryCount: 0, applicationProperties: { [Props.priorAttempts]: 2 } })).toBe(3);
    expect(attemptOf({ deliveryCount: 1, applicationProperties: { [Props.priorAttempts]: 'nonsense' } })).toBe(2);
  });

  it('a retry copy on a queue is the message again, carrying the attempts so far', () => {
    const copy = retryCopy(received({ deliveryCount: 1 }), 2, { kind: 'queue' });
    expect(copy).toMatchObject({ messageId: 'm-1', subject: outgoing.type, correlationId: 'c-1' });
    expect(copy.to).toBeUndefined();
    expect(copy.applicationProperties).toEqual({ ...outgoing.headers, [Props.priorAttempts]: 2 });
    expect(attemptOf({ deliveryCount: 0, applicationProperties: copy.applicationProperties })).toBe(3);
  });

  it('a retry copy for a subscription is addressed to it alone: `to` set, no subject for other rules to match', () => {
    const copy = retryCopy(received(), 1, { kind: 'subscription', subscription: 'order-service' });
    expect(copy.subject).toBeUndefined();
    expect(copy.to).toBe('order-service');
    expect(copy.applicationProperties?.[Props.type]).toBe(outgoing.type);
    expect(toIncomingMessage({ ...received(), ...copy } as ServiceBusReceivedMessage).type).toBe(outgoing.type);
  });

  it('a replayed dead letter starts its attempts afresh and drops the dead-letter stamps', () => {
    const dead = received({
      applicationProperties: { ...outgoing.headers, [Props.priorAttempts]: 2, [Props.attempts]: 3, DeadLetterReason: 'x' },
    });
    const copy = replayCopy(dead, { kind: 'queue' });
    expect(copy.applicationProperties).toEqual(outgoing.headers);
  });
});
