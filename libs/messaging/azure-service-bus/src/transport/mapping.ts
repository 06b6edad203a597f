import type { ServiceBusMessage, ServiceBusReceivedMessage } from '@azure/service-bus';
import type { IncomingMessage, OutgoingMessage } from '@stitch/messaging-core';

/**
 * The body is the envelope as a structured-mode CloudEvent in JSON (the core's wire form), sent as a UTF-8 data
 * section so every client reads the same bytes; the content type says so, as the CloudEvents AMQP binding has it.
 */
export const CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

/**
 * Application properties the transport itself uses; envelope headers may not start with this prefix. The core's
 * own headers (`stitch-…`) travel as ordinary application properties.
 */
export const TRANSPORT_PROPERTY_PREFIX = 'asb-';
export const Props = {
  /** Deliveries made before this copy was scheduled: a scheduled message is new, its `deliveryCount` restarts. */
  priorAttempts: 'asb-prior-attempts',
  /** The message type, on a copy addressed to one subscription (no `subject`, so no other subscription matches). */
  type: 'asb-type',
  /** Stamped when the consumer dead-letters: the attempt it gave up on, and when. */
  attempts: 'asb-attempts',
  deadLetteredAt: 'asb-dead-lettered-at',
} as const;

/** The Standard tier's limit for one message, headers and properties included. Premium allows more (option). */
export const STANDARD_MAX_MESSAGE_BYTES = 256 * 1024;
/** What the AMQP frame adds around body and properties, measured generously. */
const FRAME_OVERHEAD_BYTES = 512;

export class MessageTooLargeError extends Error {
  override readonly name = 'MessageTooLargeError';
}

export function toServiceBusMessage(message: OutgoingMessage): ServiceBusMessage {
  const applicationProperties: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (name.startsWith(TRANSPORT_PROPERTY_PREFIX)) {
      throw new Error(
        `Service Bus transport: header "${name}" of message ${message.messageId} uses the reserved prefix "${TRANSPORT_PROPERTY_PREFIX}"`,
      );
    }
    applicationProperties[name] = value;
  }
  return {
    messageId: message.messageId,
    subject: message.type,
    correlationId: message.correlationId,
    contentType: CONTENT_TYPE,
    body: Buffer.from(message.body, 'utf8'),
    applicationProperties,
  };
}

/** An estimate on the safe side of what the broker counts: body, system and application properties. */
export function estimatedSize(message: ServiceBusMessage): number {
  const text = (value: unknown) => (value === undefined || value === null ? 0 : Buffer.byteLength(String(value), 'utf8'));
  const body = Buffer.isBuffer(message.body) ? message.body.length : text(JSON.stringify(message.body));
  let properties = 0;
  for (const [name, value] of Object.entries(message.applicationProperties ?? {})) properties += text(name) + text(value) + 8;
  return (
    body +
    properties +
    text(message.messageId) +
    text(message.subject) +
    text(message.correlationId) +
    text(message.contentType) +
    text(message.to) +
    FRAME_OVERHEAD_BYTES
  );
}

/** Refuses, before anything is sent, a message the tier would refuse, naming it and both sizes. */
export function assertFits(message: ServiceBusMessage, maxBytes: number): void {
  const size = estimatedSize(message);
  if (size > maxBytes) {
    throw new MessageTooLargeError(
      `Service Bus transport: message ${String(message.messageId)} (${String(message.subject ?? message.applicationProperties?.[Props.type])}) is about ${size} bytes, ` +
        `more than the ${maxBytes} bytes a message may have on this tier (256 KB on Standard); send less data, or a reference to it`,
    );
  }
}

export function bodyText(body: unknown): string {
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return typeof body === 'string' ? body : JSON.stringify(body);
}

export function typeOf(message: Pick<ServiceBusReceivedMessage, 'subject' | 'applicationProperties'>): string {
  const fromProperty = message.applicationProperties?.[Props.type];
  return message.subject ?? (typeof fromProperty === 'string' ? fromProperty : '');
}

export function toIncomingMessage(message: ServiceBusReceivedMessage): IncomingMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.applicationProperties ?? {})) {
    if (!name.startsWith(TRANSPORT_PROPERTY_PREFIX) && value !== null && value !== undefined) {
      headers[name] = value instanceof Date ? value.toISOString() : String(value);
    }
  }
  return {
    messageId: String(message.messageId ?? ''),
    type: typeOf(message),
    correlationId: message.correlationId === undefined ? '' : String(message.correlationId),
    body: bodyText(message.body),
    headers,
    enqueuedAt: message.enqueuedTimeUtc?.getTime() ?? Date.now(),
  };
}

/**
 * The attempt this delivery is: the attempts carried over from earlier copies plus this message's own deliveries.
 * The SDK reports `deliveryCount` as AMQP does, the deliveries before this one (0 on the first), so add one.
 */
export function attemptOf(message: Pick<ServiceBusReceivedMessage, 'deliveryCount' | 'applicationProperties'>): number {
  const prior = Number(message.applicationProperties?.[Props.priorAttempts] ?? 0);
  return (Number.isInteger(prior) && prior > 0 ? prior : 0) + (message.deliveryCount ?? 0) + 1;
}

export type RetryTarget = { readonly kind: 'queue' } | { readonly kind: 'subscription'; readonly subscription: string };

/**
 * The scheduled copy that carries a retry. On a queue it is the message again. On the topic it is addressed with `to`
 * to the failing subscription alone (its `to` rule) and carries its type in a property instead of `subject`, so no
 * other subscriber's subject rule matches it.
 */
export function retryCopy(message: ServiceBusReceivedMessage, attempt: number, target: RetryTarget): ServiceBusMessage {
  const applicationProperties: NonNullable<ServiceBusMessage['applicationProperties']> = {
    ...(message.applicationProperties ?? {}),
    [Props.priorAttempts]: attempt,
  };
  delete applicationProperties[Props.attempts];
  delete applicationProperties[Props.deadLetteredAt];
  return addressed(message, applicationProperties, target);
}

/** A dead letter sent back where it failed: fresh attempts, the same id, type, correlation id, body and headers. */
export function replayCopy(message: ServiceBusReceivedMessage, target: RetryTarget): ServiceBusMessage {
  const applicationProperties = { ...(message.applicationProperties ?? {}) };
  for (const name of [Props.priorAttempts, Props.attempts, Props.deadLetteredAt, 'DeadLetterReason', 'DeadLetterErrorDescription'])
    delete applicationProperties[name];
  return addressed(message, applicationProperties, target);
}

function addressed(
  message: ServiceBusReceivedMessage,
  applicationProperties: NonNullable<ServiceBusMessage['applicationProperties']>,
  target: RetryTarget,
): ServiceBusMessage {
  const type = typeOf(message);
  const copy: ServiceBusMessage = {
    messageId: message.messageId,
    correlationId: message.correlationId,
    contentType: message.contentType ?? CONTENT_TYPE,
    body: Buffer.isBuffer(message.body) ? message.body : Buffer.from(bodyText(message.body), 'utf8'),
    applicationProperties,
  };
  if (target.kind === 'queue') return { ...copy, subject: type };
  return { ...copy, to: target.subscription, applicationProperties: { ...applicationProperties, [Props.type]: type } };
}
