import {
  ServiceBusError,
  type PeekMessagesOptions,
  type ReceiveMessagesOptions,
  type ServiceBusErrorCode,
  type ServiceBusMessage,
  type ServiceBusMessageBatch,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiverOptions,
} from '@azure/service-bus';
import Long from 'long';
import type { ReceiverLike, SenderLike, ServiceBusClientLike } from '../../src/transport/client';
import { estimatedSize } from '../../src/transport/mapping';
import {
  DEAD_LETTER_SUFFIX,
  subscriptionPath,
  type Operation,
  type PropertyValue,
  type Settlement,
  type WireError,
  type WireMessage,
  type WireReceived,
} from './wire';

const MAX_BATCH_BYTES = 256 * 1024;

/** Talks to a `FakeServiceBusServer` namespace; errors come back as the SDK's `ServiceBusError` with the service's code. */
class Connection {
  constructor(
    private readonly url: string,
    private readonly namespace: string,
  ) {}

  async call<T>(operation: Operation, signal?: AbortSignal): Promise<T> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ namespace: this.namespace, operation }),
      ...(signal ? { signal } : {}),
    });
    const payload = (await response.json()) as { result?: T; error?: WireError };
    if (payload.error) throw new ServiceBusError(payload.error.message, payload.error.code as ServiceBusErrorCode);
    return payload.result as T;
  }
}

function toWire(message: ServiceBusMessage): WireMessage {
  const body: unknown = message.body;
  const bytes = Buffer.isBuffer(body)
    ? body
    : body instanceof Uint8Array
      ? Buffer.from(body)
      : Buffer.from(JSON.stringify(body ?? null), 'utf8');
  const properties: Record<string, PropertyValue> = {};
  for (const [name, value] of Object.entries(message.applicationProperties ?? {}))
    properties[name] = value instanceof Date ? value.getTime() : value;
  return {
    body: bytes.toString('base64'),
    applicationProperties: properties,
    ...(message.messageId === undefined ? {} : { messageId: String(message.messageId) }),
    ...(message.subject === undefined ? {} : { subject: message.subject }),
    ...(message.to === undefined ? {} : { to: message.to }),
    ...(message.correlationId === undefined ? {} : { correlationId: String(message.correlationId) }),
    ...(message.contentType === undefined ? {} : { contentType: message.contentType }),
    ...(message.timeToLive === undefined ? {} : { timeToLiveMs: message.timeToLive }),
  };
}

/** As the SDK decodes a data section: JSON when it parses, unless told to skip, else the bytes. */
function decodeBody(base64: string, skipParsingBodyAsJson: boolean): unknown {
  const bytes = Buffer.from(base64, 'base64');
  if (skipParsingBodyAsJson) return bytes;
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return bytes;
  }
}

function fromWire(wire: WireReceived, skipParsingBodyAsJson: boolean): ServiceBusReceivedMessage {
  const body = decodeBody(wire.body, skipParsingBodyAsJson);
  return {
    body,
    messageId: wire.messageId,
    subject: wire.subject,
    to: wire.to,
    correlationId: wire.correlationId,
    contentType: wire.contentType,
    applicationProperties: { ...(wire.applicationProperties ?? {}) },
    deliveryCount: wire.deliveryCount,
    sequenceNumber: Long.fromNumber(wire.sequenceNumber),
    enqueuedTimeUtc: new Date(wire.enqueuedAt),
    expiresAtUtc: new Date(Math.min(wire.expiresAt, 8.64e15)),
    lockToken: wire.lockToken,
    lockedUntilUtc: wire.lockedUntil === undefined ? undefined : new Date(wire.lockedUntil),
    deadLetterReason: wire.deadLetterReason,
    deadLetterErrorDescription: wire.deadLetterErrorDescription,
    deadLetterSource: wire.deadLetterSource,
    state: wire.state,
    _rawAmqpMessage: { body, bodyType: 'data' },
  };
}

class FakeBatch implements ServiceBusMessageBatch {
  readonly messages: ServiceBusMessage[] = [];
  sizeInBytes = 0;
  readonly maxSizeInBytes = MAX_BATCH_BYTES;

  get count(): number {
    return this.messages.length;
  }

  tryAddMessage(message: ServiceBusMessage): boolean {
    const size = estimatedSize(message);
    if (this.sizeInBytes + size > this.maxSizeInBytes) return false;
    this.messages.push(message);
    this.sizeInBytes += size;
    return true;
  }
}

class FakeSender implements SenderLike {
  isClosed = false;

  constructor(
    private readonly connection: Connection,
    readonly entityPath: string,
  ) {}

  async createMessageBatch(): Promise<ServiceBusMessageBatch> {
    await this.connection.call({ op: 'open', path: this.entityPath });
    return new FakeBatch();
  }

  async sendMessages(messages: ServiceBusMessage | ServiceBusMessage[] | ServiceBusMessageBatch): Promise<void> {
    const list = messages instanceof FakeBatch ? messages.messages : Array.isArray(messages) ? messages : [messages as ServiceBusMessage];
    await this.connection.call({ op: 'send', path: this.entityPath, messages: list.map(toWire) });
  }

  async scheduleMessages(messages: ServiceBusMessage | ServiceBusMessage[], scheduledEnqueueTimeUtc: Date): Promise<Long[]> {
    const list = Array.isArray(messages) ? messages : [messages];
    const sequenceNumbers = await this.connection.call<number[]>({
      op: 'send',
      path: this.entityPath,
      messages: list.map(toWire),
      scheduledAt: scheduledEnqueueTimeUtc.getTime(),
    });
    return sequenceNumbers.map((n) => Long.fromNumber(n));
  }

  async close(): Promise<void> {
    this.isClosed = true;
  }
}

class FakeReceiver implements ReceiverLike {
  isClosed = false;
  /** Where the next peek without a sequence number starts, as on the SDK's receiver link. */
  private peekFrom = 0;
  private readonly receiveMode: 'peekLock' | 'receiveAndDelete';
  private readonly skipParsingBodyAsJson: boolean;

  constructor(
    private readonly connection: Connection,
    readonly entityPath: string,
    options: ServiceBusReceiverOptions = {},
  ) {
    this.receiveMode = options.receiveMode ?? 'peekLock';
    this.skipParsingBodyAsJson = options.skipParsingBodyAsJson ?? false;
  }

  async receiveMessages(maxMessageCount: number, options?: ReceiveMessagesOptions): Promise<ServiceBusReceivedMessage[]> {
    this.ensureOpen();
    const received = await this.connection.call<WireReceived[]>(
      { op: 'receive', path: this.entityPath, max: maxMessageCount, waitMs: options?.maxWaitTimeInMs ?? 60_000, mode: this.receiveMode },
      options?.abortSignal as AbortSignal | undefined,
    );
    return received.map((wire) => fromWire(wire, this.skipParsingBodyAsJson));
  }

  async peekMessages(maxMessageCount: number, options?: PeekMessagesOptions): Promise<ServiceBusReceivedMessage[]> {
    this.ensureOpen();
    const from = options?.fromSequenceNumber ? options.fromSequenceNumber.toNumber() : this.peekFrom;
    const peeked = await this.connection.call<WireReceived[]>({
      op: 'peek',
      path: this.entityPath,
      fromSequenceNumber: from,
      max: maxMessageCount,
    });
    const last = peeked.at(-1);
    if (last) this.peekFrom = last.sequenceNumber + 1;
    return peeked.map((wire) => fromWire(wire, this.skipParsingBodyAsJson));
  }

  completeMessage(message: ServiceBusReceivedMessage): Promise<void> {
    return this.settle(message, { kind: 'complete' });
  }

  abandonMessage(message: ServiceBusReceivedMessage, propertiesToModify?: Record<string, PropertyValue | Date>): Promise<void> {
    return this.settle(message, { kind: 'abandon', ...(propertiesToModify ? { properties: plain(propertiesToModify) } : {}) });
  }

  deadLetterMessage(
    message: ServiceBusReceivedMessage,
    options?: { deadLetterReason?: string; deadLetterErrorDescription?: string } & Record<string, PropertyValue | Date | undefined>,
  ): Promise<void> {
    const { deadLetterReason, deadLetterErrorDescription, ...properties } = options ?? {};
    return this.settle(message, {
      kind: 'deadLetter',
      ...(typeof deadLetterReason === 'string' ? { reason: deadLetterReason } : {}),
      ...(typeof deadLetterErrorDescription === 'string' ? { description: deadLetterErrorDescription } : {}),
      properties: plain(properties),
    });
  }

  async renewMessageLock(message: ServiceBusReceivedMessage): Promise<Date> {
    this.ensurePeekLock(message);
    const lockedUntil = new Date(
      await this.connection.call<number>({ op: 'renew', path: this.entityPath, lockToken: message.lockToken ?? '' }),
    );
    message.lockedUntilUtc = lockedUntil;
    return lockedUntil;
  }

  async close(): Promise<void> {
    this.isClosed = true;
  }

  private async settle(message: ServiceBusReceivedMessage, settlement: Settlement): Promise<void> {
    this.ensurePeekLock(message);
    await this.connection.call({ op: 'settle', path: this.entityPath, lockToken: message.lockToken ?? '', settlement });
  }

  private ensurePeekLock(message: ServiceBusReceivedMessage): void {
    this.ensureOpen();
    if (this.receiveMode !== 'peekLock' || !message.lockToken) {
      throw new Error('The operation is not supported in receiveAndDelete mode, nor on a message that was not locked');
    }
  }

  private ensureOpen(): void {
    if (this.isClosed)
      throw new ServiceBusError(`The receiver for "${this.entityPath}" has been closed and can no longer be used.`, 'GeneralError');
  }
}

function plain(properties: Record<string, PropertyValue | Date | undefined>): Record<string, PropertyValue> {
  const result: Record<string, PropertyValue> = {};
  for (const [name, value] of Object.entries(properties)) {
    if (value !== undefined) result[name] = value instanceof Date ? value.getTime() : value;
  }
  return result;
}

/**
 * A stand-in for the SDK's `ServiceBusClient` against a fake namespace: the same narrow surface the transport uses,
 * built on the SDK's own types, so the transport cannot call anything the fake does not implement.
 */
export class FakeServiceBusClient implements ServiceBusClientLike {
  readonly fullyQualifiedNamespace: string;
  private readonly connection: Connection;

  constructor(url: string, namespace: string) {
    this.connection = new Connection(url, namespace);
    this.fullyQualifiedNamespace = `${namespace}.fake.servicebus`;
  }

  createSender(queueOrTopicName: string): SenderLike {
    return new FakeSender(this.connection, queueOrTopicName);
  }

  createReceiver(queueName: string, options?: ServiceBusReceiverOptions): ReceiverLike;
  createReceiver(topicName: string, subscriptionName: string, options?: ServiceBusReceiverOptions): ReceiverLike;
  createReceiver(entity: string, second?: string | ServiceBusReceiverOptions, third?: ServiceBusReceiverOptions): ReceiverLike {
    const options = typeof second === 'object' ? second : third;
    const path = typeof second === 'string' ? subscriptionPath(entity, second) : entity;
    return new FakeReceiver(this.connection, options?.subQueueType === 'deadLetter' ? path + DEAD_LETTER_SUFFIX : path, options);
  }

  async close(): Promise<void> {
    // Nothing to release: each call is one HTTP request.
  }
}
