import type { Message, MessageAttributeValue, SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DeadLetteredMessage, IncomingMessage, OutgoingMessage } from '@stitch/messaging-core';
import { EVENTBRIDGE_MAX_ENTRY_BYTES, SQS_MAX_DELAY_SECONDS, SQS_MAX_MESSAGE_BYTES } from './entities';

/**
 * How an envelope travels: as a structured-mode CloudEvent in JSON (the core's wire form). A command is an SQS
 * message whose body is the CloudEvent, with its id, type and correlation id (and any headers) as message
 * attributes, so a body that is not one can still be named in the dead-letter queue. An event is a PutEvents entry
 * whose `Detail` is the CloudEvent, its `Source` the CloudEvent's source and its `DetailType` the type; EventBridge
 * delivers it to each subscriber's queue wrapped as `{ version, id, 'detail-type', source, time, detail, … }`, which
 * the consumer unwraps back to the CloudEvent, so a handler cannot tell how a message came.
 */
export const ATTR = {
  messageId: 'stitch-message-id',
  type: 'stitch-type',
  correlationId: 'stitch-correlation-id',
  headers: 'stitch-headers',
  reason: 'stitch-dead-letter-reason',
  description: 'stitch-dead-letter-description',
  attempts: 'stitch-dead-letter-attempts',
  deadLetteredAt: 'stitch-dead-letter-at',
} as const;

const DEAD_LETTER_ATTRIBUTES = new Set<string>([ATTR.reason, ATTR.description, ATTR.attempts, ATTR.deadLetteredAt]);
const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

export class MessageTooLargeError extends Error {
  override readonly name = 'MessageTooLargeError';
}

export function stringAttribute(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value };
}

/** The attributes a command carries; SQS refuses empty values, so absent ones are left out. */
export function commandAttributes(message: OutgoingMessage): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  if (message.messageId) attributes[ATTR.messageId] = stringAttribute(message.messageId);
  if (message.type) attributes[ATTR.type] = stringAttribute(message.type);
  if (message.correlationId) attributes[ATTR.correlationId] = stringAttribute(message.correlationId);
  if (message.headers && Object.keys(message.headers).length > 0)
    attributes[ATTR.headers] = stringAttribute(JSON.stringify(message.headers));
  return attributes;
}

/** SQS counts the body and each attribute's name, type and value. */
export function sqsMessageBytes(body: string, attributes: Record<string, MessageAttributeValue> = {}): number {
  let bytes = utf8(body);
  for (const [name, value] of Object.entries(attributes)) bytes += utf8(name) + utf8(value.DataType ?? '') + utf8(value.StringValue ?? '');
  return bytes;
}

/** A `SendMessageBatch` entry; the size is checked here so a message too large fails with its id, not SQS's code. */
export function sqsEntry(message: OutgoingMessage, id: string, now: number): SendMessageBatchRequestEntry & { readonly bytes: number } {
  const attributes = commandAttributes(message);
  const bytes = sqsMessageBytes(message.body, attributes);
  if (bytes > SQS_MAX_MESSAGE_BYTES) {
    throw new MessageTooLargeError(
      `message ${message.messageId} (${message.type}) is ${bytes} bytes; SQS takes at most ${SQS_MAX_MESSAGE_BYTES}`,
    );
  }
  const delaySeconds = delayOf(message.notBefore, now);
  return {
    Id: id,
    MessageBody: message.body,
    MessageAttributes: attributes,
    ...(delaySeconds > 0 ? { DelaySeconds: delaySeconds } : {}),
    bytes,
  };
}

/** Rounded up: SQS counts in seconds and a message must never arrive before its time. */
export function delayOf(notBefore: number | undefined, now: number): number {
  if (notBefore === undefined || notBefore <= now) return 0;
  return Math.min(SQS_MAX_DELAY_SECONDS, Math.ceil((notBefore - now) / 1_000));
}

/** A `PutEvents` entry; EventBridge has no headers, and the core never puts any on an event. */
export function eventEntry(message: OutgoingMessage, bus: string): PutEventsRequestEntry & { readonly bytes: number } {
  if (message.headers && Object.keys(message.headers).length > 0) {
    throw new Error(
      `event ${message.messageId} (${message.type}) has headers (${Object.keys(message.headers).join(', ')}); EventBridge carries none`,
    );
  }
  if (message.notBefore !== undefined && message.notBefore > Date.now()) {
    throw new Error(`event ${message.messageId} (${message.type}) asks for a delay; EventBridge delivers events at once`);
  }
  const source = envelopeSource(message.body);
  const bytes = eventEntryBytes(source, message.type, message.body);
  if (bytes > EVENTBRIDGE_MAX_ENTRY_BYTES) {
    throw new MessageTooLargeError(
      `event ${message.messageId} (${message.type}) is ${bytes} bytes; an EventBridge entry takes at most ${EVENTBRIDGE_MAX_ENTRY_BYTES}`,
    );
  }
  return { EventBusName: bus, Source: source, DetailType: message.type, Detail: message.body, bytes };
}

/** EventBridge's own rule: the UTF-8 bytes of Source, DetailType and Detail (plus Time and Resources, unused). */
export function eventEntryBytes(source: string, detailType: string, detail: string): number {
  return utf8(source) + utf8(detailType) + utf8(detail);
}

/**
 * The CloudEvent's `source` (`/stitch/<service>`) becomes the entry's Source, as in AWS's own mapping between
 * EventBridge events and CloudEvents; EventBridge reserves `aws.` and needs something.
 */
function envelopeSource(body: string): string {
  try {
    const source = (JSON.parse(body) as { source?: unknown }).source;
    if (typeof source === 'string' && source.length > 0 && !source.startsWith('aws.')) return source;
  } catch {
    // Not an envelope: the consumer dead-letters it; the entry still needs a Source.
  }
  return 'stitch';
}

interface EventBridgeEvent {
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly detail: unknown;
}

function asEventBridgeEvent(body: string): EventBridgeEvent | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const event = json as Record<string, unknown>;
  const looksLikeOne =
    typeof event['detail-type'] === 'string' && typeof event.source === 'string' && 'detail' in event && 'version' in event;
  return looksLikeOne ? (event as unknown as EventBridgeEvent) : undefined;
}

function attribute(message: Message, name: string): string | undefined {
  return message.MessageAttributes?.[name]?.StringValue;
}

function headersOf(message: Message): Record<string, string> {
  const raw = attribute(message, ATTR.headers);
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return {};
  }
}

/**
 * What the core sees of an SQS message. An EventBridge event is unwrapped to its `detail`, the CloudEvent, named by
 * its id; anything else is taken as sent, named by its attributes. A body that is neither still comes
 * through, for the core to dead-letter as invalid.
 */
export function toIncoming(message: Message): IncomingMessage {
  const body = message.Body ?? '';
  const enqueuedAt = Number(message.Attributes?.SentTimestamp ?? Date.now());
  const event = asEventBridgeEvent(body);
  if (event) {
    const detail = (typeof event.detail === 'object' && event.detail !== null ? event.detail : {}) as {
      id?: unknown;
      correlationid?: unknown;
      correlationId?: unknown;
    };
    // A CloudEvent names it `correlationid`; an envelope of the earlier shape, still queued, `correlationId`.
    const correlationId = detail.correlationid ?? detail.correlationId;
    return {
      messageId: typeof detail.id === 'string' ? detail.id : event.id,
      type: event['detail-type'],
      correlationId: typeof correlationId === 'string' ? correlationId : '',
      body: JSON.stringify(event.detail),
      headers: {},
      enqueuedAt,
    };
  }
  return {
    messageId: attribute(message, ATTR.messageId) ?? message.MessageId ?? '',
    type: attribute(message, ATTR.type) ?? '',
    correlationId: attribute(message, ATTR.correlationId) ?? '',
    body,
    headers: headersOf(message),
    enqueuedAt,
  };
}

/** The receive count SQS keeps: 1 on the first delivery, counting deliveries whose consumer died. */
export function attemptOf(message: Message): number {
  const count = Number(message.Attributes?.ApproximateReceiveCount);
  return Number.isInteger(count) && count > 0 ? count : 1;
}

/**
 * The dead letter keeps the body exactly as received (an EventBridge event stays wrapped) and its attributes,
 * adding the reason, so a replay puts back precisely what failed.
 */
export function deadLetterAttributes(
  message: Message,
  reason: string,
  description: string,
  attempts: number,
  at: number,
): Record<string, MessageAttributeValue> {
  const kept = Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).filter(([name]) => !DEAD_LETTER_ATTRIBUTES.has(name)));
  return {
    ...kept,
    [ATTR.reason]: stringAttribute(reason || 'unknown'),
    ...(description ? { [ATTR.description]: stringAttribute(description) } : {}),
    [ATTR.attempts]: stringAttribute(String(attempts)),
    [ATTR.deadLetteredAt]: stringAttribute(String(at)),
  };
}

/** The attributes a replayed message goes back with: the original ones, without the dead-letter reason. */
export function replayAttributes(message: Message): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).filter(
      ([name]) => !DEAD_LETTER_ATTRIBUTES.has(name) && !name.startsWith('ERROR_') && name !== 'RULE_ARN' && name !== 'TARGET_ARN',
    ),
  );
}

/**
 * A dead letter as the port shows it. Three writers: our consumer (reason attributes), SQS's redrive after
 * `maxReceiveCount` (a consumer crashed on every attempt; no reason of ours) and EventBridge's target
 * dead-letter queue (`ERROR_CODE`, `ERROR_MESSAGE`).
 */
export function toDeadLetter(message: Message, id: string, maxReceiveCount: number): DeadLetteredMessage {
  const sentAt = Number(message.Attributes?.SentTimestamp ?? 0);
  const reason = attribute(message, ATTR.reason) ?? attribute(message, 'ERROR_CODE') ?? 'MaxReceiveCountExceeded';
  const description =
    attribute(message, ATTR.description) ??
    attribute(message, 'ERROR_MESSAGE') ??
    `received ${maxReceiveCount} times without being settled; SQS moved it (redrive policy)`;
  const attempts = Number(attribute(message, ATTR.attempts) ?? (attribute(message, 'ERROR_CODE') ? 0 : maxReceiveCount));
  return {
    id,
    message: toIncoming(message),
    reason,
    description,
    deadLetteredAt: Number(attribute(message, ATTR.deadLetteredAt) ?? sentAt),
    attempts,
  };
}
