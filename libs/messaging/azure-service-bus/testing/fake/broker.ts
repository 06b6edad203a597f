import { randomUUID } from 'node:crypto';
import type { ServiceBusEntities, SubscriptionRule } from '../../src/entities';
import {
  DEAD_LETTER_SUFFIX,
  subscriptionPath,
  type EntityPath,
  type PropertyValue,
  type Settlement,
  type WireMessage,
  type WireReceived,
} from './wire';

/** A broker-side failure, with the `ServiceBusError` code the real service would give. */
export class FakeBrokerError extends Error {
  constructor(
    readonly code: 'MessagingEntityNotFound' | 'MessageLockLost' | 'MessageSizeExceeded' | 'GeneralError',
    message: string,
  ) {
    super(message);
  }
}

interface Stored {
  readonly sequenceNumber: number;
  message: WireMessage;
  readonly enqueuedAt: number;
  readonly visibleAt: number;
  readonly expiresAt: number;
  /** Deliveries that ended without a settle (lock expired, abandoned): what the SDK reports as `deliveryCount`. */
  deliveryCount: number;
  lockToken?: string;
  lockedUntil?: number;
  deadLetter?: { readonly reason?: string; readonly description?: string; readonly source: string };
}

interface Limits {
  readonly lockMs: number;
  readonly maxDeliveryCount: number;
  readonly ttlMs: number;
  readonly deadLetterOnExpiry: boolean;
}

/** Service Bus's largest message on Standard, body and properties. */
const MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * One queue or subscription, or the dead-letter sub-queue of one, with the broker's documented semantics: peek-lock
 * with a lock that lapses, `deliveryCount` raised when a lock lapses or the message is abandoned, dead-lettering
 * once it reaches `maxDeliveryCount` and on expiry where enabled, scheduled messages invisible until due.
 */
class MessageStore {
  private readonly messages = new Map<number, Stored>();
  private readonly locked = new Map<string, Stored>();
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly path: EntityPath,
    private readonly limits: Limits,
    private readonly deadLetters: MessageStore | undefined,
    private readonly now: () => number,
  ) {}

  get ttlMs(): number {
    return this.limits.ttlMs;
  }

  add(stored: Stored): void {
    this.messages.set(stored.sequenceNumber, stored);
    this.wake();
  }

  async receive(max: number, waitMs: number, mode: 'peekLock' | 'receiveAndDelete', gone: () => boolean): Promise<WireReceived[]> {
    const deadline = this.now() + waitMs;
    for (;;) {
      if (gone()) return [];
      const taken = this.take(max, mode);
      if (taken.length > 0 || this.now() >= deadline) return taken;
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        // Scheduled messages and lapsing locks become available without anyone telling: look again soon.
        const timer = setTimeout(wake, Math.min(25, Math.max(1, deadline - this.now())));
        this.waiters.add(wake);
      });
    }
  }

  peek(fromSequenceNumber: number, max: number): WireReceived[] {
    this.expireLocks();
    const found: WireReceived[] = [];
    for (const stored of this.messages.values()) {
      if (found.length >= max) break;
      if (stored.sequenceNumber >= fromSequenceNumber) found.push(this.snapshot(stored, false));
    }
    return found;
  }

  settle(lockToken: string, settlement: Settlement): void {
    this.expireLocks();
    const stored = this.locked.get(lockToken);
    if (!stored)
      throw new FakeBrokerError(
        'MessageLockLost',
        `The lock supplied is invalid: it expired, or the message was already settled (${this.path})`,
      );
    this.locked.delete(lockToken);
    stored.lockToken = undefined;
    stored.lockedUntil = undefined;
    if (settlement.kind === 'complete') {
      this.messages.delete(stored.sequenceNumber);
    } else if (settlement.kind === 'abandon') {
      stored.message = withProperties(stored.message, settlement.properties);
      this.failedDelivery(stored);
    } else {
      stored.message = withProperties(stored.message, settlement.properties);
      this.moveToDeadLetters(stored, settlement.reason, settlement.description);
    }
  }

  renew(lockToken: string): number {
    this.expireLocks();
    const stored = this.locked.get(lockToken);
    if (!stored)
      throw new FakeBrokerError(
        'MessageLockLost',
        `The lock supplied is invalid: it expired, or the message was already settled (${this.path})`,
      );
    stored.lockedUntil = this.now() + this.limits.lockMs;
    return stored.lockedUntil;
  }

  private take(max: number, mode: 'peekLock' | 'receiveAndDelete'): WireReceived[] {
    this.expireLocks();
    const now = this.now();
    const taken: WireReceived[] = [];
    for (const stored of this.messages.values()) {
      if (taken.length >= max) break;
      if (stored.lockToken !== undefined || stored.visibleAt > now) continue;
      if (stored.expiresAt <= now) {
        this.expire(stored);
        continue;
      }
      if (mode === 'receiveAndDelete') {
        this.messages.delete(stored.sequenceNumber);
        taken.push(this.snapshot(stored, false));
        continue;
      }
      stored.lockToken = randomUUID();
      stored.lockedUntil = now + this.limits.lockMs;
      this.locked.set(stored.lockToken, stored);
      taken.push(this.snapshot(stored, true));
    }
    return taken;
  }

  private expireLocks(): void {
    const now = this.now();
    for (const [token, stored] of this.locked) {
      if ((stored.lockedUntil ?? 0) > now) continue;
      this.locked.delete(token);
      stored.lockToken = undefined;
      stored.lockedUntil = undefined;
      this.failedDelivery(stored);
    }
  }

  private failedDelivery(stored: Stored): void {
    stored.deliveryCount++;
    if (stored.deliveryCount >= this.limits.maxDeliveryCount) {
      this.moveToDeadLetters(
        stored,
        'MaxDeliveryCountExceeded',
        `Message could not be consumed after ${this.limits.maxDeliveryCount} delivery attempts.`,
      );
    } else {
      this.wake();
    }
  }

  private expire(stored: Stored): void {
    if (this.limits.deadLetterOnExpiry) this.moveToDeadLetters(stored, 'TTLExpiredException', 'The message expired and was dead lettered.');
    else this.messages.delete(stored.sequenceNumber);
  }

  private moveToDeadLetters(stored: Stored, reason: string | undefined, description: string | undefined): void {
    this.messages.delete(stored.sequenceNumber);
    if (!this.deadLetters) return;
    this.deadLetters.add({
      ...stored,
      lockToken: undefined,
      lockedUntil: undefined,
      // A dead letter stays until it is received and completed or purged.
      expiresAt: Number.MAX_SAFE_INTEGER,
      deadLetter: {
        ...(reason === undefined ? {} : { reason }),
        ...(description === undefined ? {} : { description }),
        source: this.path,
      },
    });
  }

  private snapshot(stored: Stored, locked: boolean): WireReceived {
    const now = this.now();
    return {
      ...stored.message,
      sequenceNumber: stored.sequenceNumber,
      deliveryCount: stored.deliveryCount,
      enqueuedAt: stored.enqueuedAt,
      expiresAt: stored.expiresAt,
      state: stored.visibleAt > now ? 'scheduled' : 'active',
      ...(locked && stored.lockToken ? { lockToken: stored.lockToken, lockedUntil: stored.lockedUntil ?? now } : {}),
      ...(stored.deadLetter?.reason === undefined ? {} : { deadLetterReason: stored.deadLetter.reason }),
      ...(stored.deadLetter?.description === undefined ? {} : { deadLetterErrorDescription: stored.deadLetter.description }),
      ...(stored.deadLetter ? { deadLetterSource: stored.deadLetter.source } : {}),
    };
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

function withProperties(message: WireMessage, properties: Readonly<Record<string, PropertyValue>> | undefined): WireMessage {
  if (!properties || Object.keys(properties).length === 0) return message;
  return { ...message, applicationProperties: { ...(message.applicationProperties ?? {}), ...properties } };
}

function matches(rules: readonly SubscriptionRule[] | 'all', message: WireMessage): boolean {
  if (rules === 'all') return true;
  return rules.some((rule) => ('subject' in rule ? message.subject === rule.subject : message.to === rule.to));
}

function sizeOf(message: WireMessage): number {
  return Buffer.from(message.body, 'base64').length + Buffer.byteLength(JSON.stringify(message.applicationProperties ?? {}), 'utf8');
}

export interface FakeNamespaceOptions {
  /** Overrides the entities' lock duration, so tests need not wait 30 s for a lock to lapse. */
  readonly lockMs?: number;
  readonly now?: () => number;
}

/** One Service Bus namespace: its queues and topics with their subscriptions and rules, as `entities.ts` describes them. */
export class FakeNamespace {
  private readonly stores = new Map<EntityPath, MessageStore>();
  private readonly topics = new Map<
    string,
    { ttlMs: number; subscriptions: { rules: readonly SubscriptionRule[] | 'all'; store: MessageStore; ttlMs: number }[] }
  >();
  private sequence = 0;
  private readonly now: () => number;

  constructor(entities: ServiceBusEntities, options: FakeNamespaceOptions = {}) {
    this.now = options.now ?? Date.now;
    const store = (
      path: string,
      entity: {
        lockDurationSeconds: number;
        maxDeliveryCount: number;
        defaultMessageTimeToLiveSeconds: number;
        deadLetteringOnMessageExpiration: boolean;
      },
    ) => {
      const limits = {
        lockMs: options.lockMs ?? entity.lockDurationSeconds * 1_000,
        ttlMs: entity.defaultMessageTimeToLiveSeconds * 1_000,
        deadLetterOnExpiry: entity.deadLetteringOnMessageExpiration,
      };
      const deadLetters = new MessageStore(
        path + DEAD_LETTER_SUFFIX,
        { ...limits, maxDeliveryCount: Number.MAX_SAFE_INTEGER, deadLetterOnExpiry: false },
        undefined,
        this.now,
      );
      const main = new MessageStore(path, { ...limits, maxDeliveryCount: entity.maxDeliveryCount }, deadLetters, this.now);
      this.stores.set(path, main);
      this.stores.set(deadLetters.path, deadLetters);
      return main;
    };
    for (const queue of entities.queues) store(queue.name, queue);
    for (const topic of entities.topics) {
      this.topics.set(topic.name, {
        ttlMs: topic.defaultMessageTimeToLiveSeconds * 1_000,
        subscriptions: topic.subscriptions.map((subscription) => ({
          rules: subscription.rules,
          store: store(subscriptionPath(topic.name, subscription.name), subscription),
          ttlMs: subscription.defaultMessageTimeToLiveSeconds * 1_000,
        })),
      });
    }
  }

  /** What opening a sender or receiver link checks: that the entity exists. */
  open(path: EntityPath): void {
    if (!this.topics.has(path)) this.store(path);
  }

  /** To a queue, or to a topic: one copy per subscription whose rules match, none if no rule does. */
  send(path: EntityPath, messages: readonly WireMessage[], scheduledAt?: number): number[] {
    for (const message of messages) {
      if (sizeOf(message) > MAX_MESSAGE_BYTES)
        throw new FakeBrokerError('MessageSizeExceeded', `message ${message.messageId} exceeds ${MAX_MESSAGE_BYTES} bytes`);
    }
    const now = this.now();
    const visibleAt = Math.max(now, scheduledAt ?? now);
    const topic = this.topics.get(path);
    const queue = topic ? undefined : this.store(path);
    return messages.map((message) => {
      const targets = topic
        ? topic.subscriptions
            .filter((s) => matches(s.rules, message))
            .map((s) => ({ store: s.store, ttlMs: Math.min(s.ttlMs, topic.ttlMs) }))
        : [{ store: queue as MessageStore, ttlMs: (queue as MessageStore).ttlMs }];
      const sequenceNumber = ++this.sequence;
      targets.forEach(({ store, ttlMs }, i) => {
        // A scheduled message is enqueued at its time; its time-to-live counts from then.
        const ttl = Math.min(ttlMs, message.timeToLiveMs ?? Number.MAX_SAFE_INTEGER);
        store.add({
          sequenceNumber: i === 0 ? sequenceNumber : ++this.sequence,
          message,
          enqueuedAt: visibleAt,
          visibleAt,
          expiresAt: visibleAt + ttl,
          deliveryCount: 0,
        });
      });
      return sequenceNumber;
    });
  }

  receive(
    path: EntityPath,
    max: number,
    waitMs: number,
    mode: 'peekLock' | 'receiveAndDelete',
    gone: () => boolean = () => false,
  ): Promise<WireReceived[]> {
    return this.store(path).receive(max, waitMs, mode, gone);
  }

  peek(path: EntityPath, fromSequenceNumber: number, max: number): WireReceived[] {
    return this.store(path).peek(fromSequenceNumber, max);
  }

  settle(path: EntityPath, lockToken: string, settlement: Settlement): void {
    this.store(path).settle(lockToken, settlement);
  }

  renew(path: EntityPath, lockToken: string): number {
    return this.store(path).renew(lockToken);
  }

  private store(path: EntityPath): MessageStore {
    const store = this.stores.get(path);
    if (!store) throw new FakeBrokerError('MessagingEntityNotFound', `The messaging entity '${path}' could not be found.`);
    return store;
  }
}
