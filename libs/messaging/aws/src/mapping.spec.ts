import type { Message } from '@aws-sdk/client-sqs';
import { createEnvelope, parseEnvelope, toOutgoingMessage } from '@stitch/messaging-core';
import { earlierEnvelopeBody, readStructuredCloudEvent } from '@stitch/messaging-core/testing';
import {
  ATTR,
  deadLetterAttributes,
  delayOf,
  eventEntry,
  MessageTooLargeError,
  replayAttributes,
  sqsEntry,
  toDeadLetter,
  toIncoming,
} from './mapping';

const envelope = createEnvelope(
  { type: 'order.order-placed.v1', kind: 'event', source: 'order-service', data: { orderId: 'o-1' } },
  { correlationId: 'corr-1', causationId: 'cause-1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
);
const outgoing = toOutgoingMessage(envelope);

/** What EventBridge puts in a subscriber's queue for one PutEvents entry. */
function asDelivered(detail: string): Message {
  const event = {
    version: '0',
    id: 'eb-id',
    'detail-type': envelope.type,
    source: '/stitch/order-service',
    account: '123456789012',
    time: '2026-11-22T00:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: JSON.parse(detail),
  };
  return {
    MessageId: 'sqs-id',
    ReceiptHandle: 'r',
    Body: JSON.stringify(event),
    Attributes: { ApproximateReceiveCount: '2', SentTimestamp: '1700000000000' },
  };
}

describe('events on EventBridge', () => {
  it('put the CloudEvent in Detail, its type in DetailType and its source in Source', () => {
    const entry = eventEntry(outgoing, 'stitch');
    expect(entry).toMatchObject({
      EventBusName: 'stitch',
      Source: '/stitch/order-service',
      DetailType: 'order.order-placed.v1',
      Detail: outgoing.body,
    });
    expect(readStructuredCloudEvent(entry.Detail ?? '').source).toBe('/stitch/order-service');
  });

  it('come out of the subscriber queue as the same envelope, with correlation, causation and trace ids', () => {
    const incoming = toIncoming(asDelivered(eventEntry(outgoing, 'stitch').Detail ?? ''));
    expect(incoming).toEqual({
      messageId: envelope.id,
      type: envelope.type,
      correlationId: 'corr-1',
      body: expect.any(String),
      headers: {},
      enqueuedAt: 1_700_000_000_000,
    });
    expect(readStructuredCloudEvent(incoming.body).id).toBe(envelope.id);
    expect(parseEnvelope(JSON.parse(incoming.body))).toEqual({ envelope, format: 'cloudevent' });
  });

  it('of the earlier envelope shape, still queued after an upgrade, come out named and correlated as before', () => {
    const earlier = earlierEnvelopeBody(envelope);
    const incoming = toIncoming(asDelivered(earlier));
    expect(incoming).toMatchObject({ messageId: envelope.id, type: envelope.type, correlationId: 'corr-1' });
    expect(JSON.parse(incoming.body)).toEqual(JSON.parse(earlier));
  });

  it('are refused before sending when larger than an EventBridge entry', () => {
    const big = { ...outgoing, body: JSON.stringify({ ...envelope, data: { blob: 'x'.repeat(262_144) } }) };
    expect(() => eventEntry(big, 'stitch')).toThrow(MessageTooLargeError);
    expect(() => eventEntry(big, 'stitch')).toThrow(/an EventBridge entry takes at most 262144/);
  });

  it('counts bytes, not characters', () => {
    const nearly = { ...outgoing, body: JSON.stringify({ ...envelope, data: { text: 'é'.repeat(131_000) } }) };
    expect(() => eventEntry(nearly, 'stitch')).toThrow(MessageTooLargeError);
  });

  it('carry no headers and no delay', () => {
    expect(() => eventEntry({ ...outgoing, headers: { a: 'b' } }, 'stitch')).toThrow(/EventBridge carries none/);
    expect(() => eventEntry({ ...outgoing, notBefore: Date.now() + 60_000 }, 'stitch')).toThrow(/EventBridge delivers events at once/);
  });
});

describe('commands on SQS', () => {
  const command = {
    messageId: 'm-1',
    type: 'order.place-order.v1',
    correlationId: 'c-1',
    body: '{"id":"m-1"}',
    headers: { 'stitch-deliver-at': '123' },
  };

  it('carry id, type, correlation id and headers as attributes, and come back as sent', () => {
    const entry = sqsEntry(command, '0', 0);
    expect(entry.MessageBody).toBe(command.body);
    expect(entry.MessageAttributes?.[ATTR.messageId]?.StringValue).toBe('m-1');
    const incoming = toIncoming({
      MessageId: 'sqs',
      Body: entry.MessageBody,
      MessageAttributes: entry.MessageAttributes,
      Attributes: { SentTimestamp: '5' },
    });
    expect(incoming).toEqual({
      messageId: 'm-1',
      type: command.type,
      correlationId: 'c-1',
      body: command.body,
      headers: command.headers,
      enqueuedAt: 5,
    });
  });

  it('are named by the SQS message id when sent without attributes, so even garbage can be dead-lettered', () => {
    expect(toIncoming({ MessageId: 'sqs-7', Body: '{not json' })).toMatchObject({ messageId: 'sqs-7', type: '', body: '{not json' });
  });

  it('delay in whole seconds rounded up, at most 15 minutes', () => {
    expect(delayOf(undefined, 1_000)).toBe(0);
    expect(delayOf(500, 1_000)).toBe(0);
    expect(delayOf(2_500, 1_000)).toBe(2);
    expect(delayOf(1_000 + 1_500, 1_000)).toBe(2);
    expect(delayOf(1_000 + 3_600_000, 1_000)).toBe(900);
    expect(sqsEntry({ ...command, notBefore: 11_000 }, '0', 1_000).DelaySeconds).toBe(10);
    expect(sqsEntry(command, '0', 1_000).DelaySeconds).toBeUndefined();
  });

  it('are refused before sending when larger than SQS takes', () => {
    expect(() => sqsEntry({ ...command, body: 'x'.repeat(1_048_576) }, '0', 0)).toThrow(
      /message m-1 \(order.place-order.v1\) is \d+ bytes; SQS takes at most 1048576/,
    );
    expect(sqsEntry({ ...command, body: 'x'.repeat(1_000) }, '0', 0).bytes).toBeGreaterThan(1_000);
  });
});

describe('dead letters', () => {
  it('keep the body as received and the original attributes, with the reason; a replay drops the reason', () => {
    const received = asDelivered(outgoing.body);
    const attributes = deadLetterAttributes(
      { ...received, MessageAttributes: { keep: { DataType: 'String', StringValue: 'me' } } },
      'Error: boom',
      'failed on attempt 5 of 5',
      5,
      42,
    );
    expect(Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, value.StringValue]))).toEqual({
      keep: 'me',
      [ATTR.reason]: 'Error: boom',
      [ATTR.description]: 'failed on attempt 5 of 5',
      [ATTR.attempts]: '5',
      [ATTR.deadLetteredAt]: '42',
    });
    const dead = toDeadLetter({ ...received, MessageId: 'dlq-1', MessageAttributes: attributes }, 'dlq-1', 6);
    expect(dead).toMatchObject({
      id: 'dlq-1',
      reason: 'Error: boom',
      description: 'failed on attempt 5 of 5',
      attempts: 5,
      deadLetteredAt: 42,
    });
    expect(dead.message.messageId).toBe(envelope.id);
    expect(Object.keys(replayAttributes({ MessageAttributes: attributes }))).toEqual(['keep']);
  });

  it('explain those SQS moved by itself after too many receives', () => {
    const dead = toDeadLetter({ MessageId: 'd', Body: '{}', Attributes: { SentTimestamp: '9' } }, 'd', 6);
    expect(dead).toMatchObject({ reason: 'MaxReceiveCountExceeded', attempts: 6, deadLetteredAt: 9 });
  });

  it('read EventBridge’s own reasons for what it could not deliver', () => {
    const dead = toDeadLetter(
      {
        MessageId: 'd',
        Body: asDelivered(outgoing.body).Body,
        MessageAttributes: {
          ERROR_CODE: { DataType: 'String', StringValue: 'SQS_FAILURE' },
          ERROR_MESSAGE: { DataType: 'String', StringValue: 'Access denied' },
        },
      },
      'target:d',
      6,
    );
    expect(dead).toMatchObject({ id: 'target:d', reason: 'SQS_FAILURE', description: 'Access denied', attempts: 0 });
    expect(dead.message.messageId).toBe(envelope.id);
  });
});
