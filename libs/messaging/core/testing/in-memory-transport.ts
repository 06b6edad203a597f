import type { Topology } from '@stitch/messaging-catalogue';
import type {
  Closable,
  DeadLetteredMessage,
  DeadLetterQueues,
  Delivery,
  DeliveryHandler,
  Destination,
  FlowChannel,
  IncomingMessage,
  OutgoingMessage,
  ReceiveGate,
  ReceiveOptions,
  Source,
  Transport,
  TransportCapabilities,
} from '../src/transport';

interface Stored {
  message: IncomingMessage;
  visibleAt: number;
  deliveries: number;
  locked: boolean;
}

interface Address {
  readonly ready: Stored[];
  readonly dead: DeadLetteredMessage[];
  readonly maxDeliveryCount: number;
  readonly types?: ReadonlySet<string>;
  /** Competing consumers, as replicas of one service are: each message goes to one of them. */
  readonly receivers: Set<InMemoryReceiver>;
}

/**
 * A single-process transport for unit tests of services and of the core: the same semantics as the real ones
 * (locks, delivery counts, delays, per-subscription fan-out, competing receivers and dead letters) without
 * files or processes.
 */
export class InMemoryTransport implements Transport {
  readonly name = 'in-memory';
  readonly capabilities: TransportCapabilities;
  private readonly addresses = new Map<string, Address>();
  private readonly flowListeners = new Set<(record: string) => void>();

  constructor(
    private readonly topology: Topology,
    options: { maxDelayMs?: number } = {},
  ) {
    this.capabilities = {
      minLockMs: 1,
      timeGranularityMs: 1,
      maxDelayMs: options.maxDelayMs ?? Number.MAX_SAFE_INTEGER,
      deliversOnceWithoutFailures: true,
      flowPerReplica: true,
    };
    for (const queue of topology.queues)
      this.addresses.set(`queue:${queue.name}`, { ready: [], dead: [], maxDeliveryCount: queue.maxDeliveryCount, receivers: new Set() });
    for (const sub of topology.topic.subscriptions) {
      this.addresses.set(`sub:${sub.name}`, {
        ready: [],
        dead: [],
        maxDeliveryCount: sub.maxDeliveryCount,
        types: new Set(sub.types),
        receivers: new Set(),
      });
    }
  }

  async start(): Promise<void> {}

  async send(destination: Destination, messages: readonly OutgoingMessage[]): Promise<void> {
    const targets =
      destination.kind === 'queue'
        ? [this.address({ kind: 'queue', name: destination.name })]
        : this.topology.topic.subscriptions.map((sub) => this.address({ kind: 'subscription', topic: destination.name, name: sub.name }));
    for (const outgoing of messages) {
      for (const target of targets) {
        if (target.types && !target.types.has(outgoing.type)) continue;
        const message: IncomingMessage = {
          messageId: outgoing.messageId,
          type: outgoing.type,
          correlationId: outgoing.correlationId,
          body: outgoing.body,
          headers: { ...outgoing.headers },
          enqueuedAt: Date.now(),
        };
        this.enqueue(target, { message, visibleAt: outgoing.notBefore ?? 0, deliveries: 0, locked: false });
      }
    }
  }

  /** Messages at the source not yet settled: those waiting, those delayed and those in a receiver's hands. */
  async depth(source: Source): Promise<number> {
    return this.address(source).ready.length;
  }

  async receive(source: Source, handler: DeliveryHandler, options: ReceiveOptions): Promise<Closable> {
    const address = this.address(source);
    const receiver = new InMemoryReceiver(address, handler, options.concurrency, options.gate);
    address.receivers.add(receiver);
    receiver.pump();
    return receiver;
  }

  readonly deadLetters: DeadLetterQueues = {
    list: async (source, options) => this.address(source).dead.slice(0, options?.limit ?? Number.MAX_SAFE_INTEGER),
    peek: async (source, id) => this.address(source).dead.find((dead) => dead.id === id),
    replay: async (source, ids) => {
      const address = this.address(source);
      const chosen = address.dead.filter((dead) => !ids || ids.includes(dead.id));
      for (const dead of chosen) {
        address.dead.splice(address.dead.indexOf(dead), 1);
        this.enqueue(address, { message: dead.message, visibleAt: 0, deliveries: 0, locked: false });
      }
      return chosen.length;
    },
    purge: async (source, ids) => {
      const address = this.address(source);
      const before = address.dead.length;
      const kept = address.dead.filter((dead) => ids && !ids.includes(dead.id));
      address.dead.splice(0, address.dead.length, ...kept);
      return before - kept.length;
    },
  };

  readonly flow: FlowChannel = {
    publish: async (records) => records.forEach((record) => this.flowListeners.forEach((listener) => listener(record))),
    subscribe: async (onRecord) => {
      this.flowListeners.add(onRecord);
      return { close: async () => void this.flowListeners.delete(onRecord) };
    },
  };

  async close(): Promise<void> {
    await Promise.all([...this.addresses.values()].flatMap((address) => [...address.receivers].map((receiver) => receiver.close())));
  }

  private address(source: Source): Address {
    const key = source.kind === 'queue' ? `queue:${source.name}` : `sub:${source.name}`;
    const address = this.addresses.get(key);
    if (!address) throw new Error(`${source.kind} "${source.name}" is not in the topology`);
    return address;
  }

  private enqueue(address: Address, stored: Stored): void {
    address.ready.push(stored);
    const wait = stored.visibleAt - Date.now();
    if (wait > 0) setTimeout(() => pumpAll(address), wait).unref();
    else queueMicrotask(() => pumpAll(address));
  }
}

let deadLetterSequence = 0;

/** Offers what is ready to every receiver in turn; a busy one leaves the rest to the others. */
function pumpAll(address: Address): void {
  for (const receiver of address.receivers) receiver.pump();
}

/** Moves a message to its dead letters; ids are sequence numbers, as Service Bus gives them. */
function moveToDeadLetters(address: Address, stored: Stored, reason: string, description: string): void {
  address.ready.splice(address.ready.indexOf(stored), 1);
  address.dead.push({
    id: String(++deadLetterSequence),
    message: stored.message,
    reason,
    description,
    deadLetteredAt: Date.now(),
    attempts: stored.deliveries,
  });
}

class InMemoryReceiver implements Closable {
  private inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly address: Address,
    private readonly handler: DeliveryHandler,
    private readonly concurrency: number,
    private readonly gate?: ReceiveGate,
  ) {}

  private waitingForGate = false;

  pump(): void {
    if (this.gate?.paused) {
      if (!this.waitingForGate) {
        this.waitingForGate = true;
        void this.gate.whenResumed().then(() => {
          this.waitingForGate = false;
          this.pump();
        });
      }
      return;
    }
    const now = Date.now();
    let nextVisibleAt = Infinity;
    for (const stored of [...this.address.ready]) {
      if (this.closed || this.inFlight.size >= this.concurrency) return;
      if (stored.locked) continue;
      if (stored.visibleAt > now) {
        nextVisibleAt = Math.min(nextVisibleAt, stored.visibleAt);
        continue;
      }
      if (stored.deliveries >= this.address.maxDeliveryCount) {
        moveToDeadLetters(this.address, stored, 'MaxDeliveryCountExceeded', `delivered ${stored.deliveries} times`);
        continue;
      }
      stored.deliveries += 1;
      stored.locked = true;
      const run = this.handler(this.delivery(stored))
        .catch(() => this.release(stored, 0))
        .finally(() => {
          this.inFlight.delete(run);
          pumpAll(this.address);
        });
      this.inFlight.add(run);
    }
    // A timer can fire a millisecond before Date.now() reaches the time it was set for; without a wake-up for
    // what is still invisible, such a message would wait for the next unrelated send.
    if (nextVisibleAt !== Infinity && !this.closed) this.wakeAt(nextVisibleAt);
  }

  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeTime = Infinity;

  private wakeAt(time: number): void {
    if (this.wakeTimer && this.wakeTime <= time) return;
    clearTimeout(this.wakeTimer);
    this.wakeTime = time;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = undefined;
        this.wakeTime = Infinity;
        this.pump();
      },
      Math.max(1, time - Date.now() + 1),
    ).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.address.receivers.delete(this);
    clearTimeout(this.wakeTimer);
    await Promise.all(this.inFlight);
  }

  private delivery(stored: Stored): Delivery {
    let settled = false;
    const once = (settle: () => void) => async () => {
      if (settled) throw new Error('delivery already settled');
      settled = true;
      settle();
    };
    return {
      message: stored.message,
      attempt: stored.deliveries,
      complete: once(() => this.address.ready.splice(this.address.ready.indexOf(stored), 1)),
      retryLater: (delayMs: number) => once(() => this.release(stored, delayMs))(),
      deadLetter: (reason: string, description: string) => once(() => moveToDeadLetters(this.address, stored, reason, description))(),
    };
  }

  private release(stored: Stored, delayMs: number): void {
    if (!this.address.ready.includes(stored)) return;
    stored.locked = false;
    stored.visibleAt = Date.now() + delayMs;
    if (delayMs > 0) setTimeout(() => pumpAll(this.address), delayMs).unref();
  }
}
