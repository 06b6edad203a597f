import { randomUUID } from 'node:crypto';
import type { Closable, Delivery, DeliveryHandler, IncomingMessage, ReceiveGate } from '@stitch/messaging-core';
import type { Lock, LockedMessage, MessageStore, Settlement } from './messages';
import type { Settlements } from './settlements';
import type { WakeHub } from './wake';
import { warn } from './warn';

/** How often a consumer looks even without a wake-up, in case a file-system event went missing. */
export const RECHECK_MS = 1_500;

export interface ConsumerOptions {
  readonly address: string;
  /** Names the consumer in warnings: `queue order-service`. */
  readonly label: string;
  readonly maxDeliveryCount: number;
  readonly handler: DeliveryHandler;
  readonly concurrency: number;
  readonly lockMs: number;
  readonly gate?: ReceiveGate;
}

/** One locked message in a handler's hands; whichever settle comes first wins. */
class LocalDelivery implements Delivery {
  private outcome: Promise<boolean> | undefined;

  constructor(
    readonly message: IncomingMessage,
    readonly attempt: number,
    private readonly settle: (settlement: Settlement) => Promise<boolean>,
  ) {}

  /** Set once settled: resolves when the settlement has been written. */
  get settled(): Promise<boolean> | undefined {
    return this.outcome;
  }

  complete(): Promise<void> {
    return this.once({ kind: 'complete' });
  }

  retryLater(delayMs: number): Promise<void> {
    return this.once({ kind: 'retry', visibleAt: Date.now() + Math.max(0, delayMs) });
  }

  deadLetter(reason: string, description: string): Promise<void> {
    return this.once({ kind: 'deadLetter', reason, description, at: Date.now() });
  }

  /** For a handler that finished without settling: the message is visible again at once. */
  release(): Promise<void> {
    return this.once({ kind: 'retry', visibleAt: Date.now() });
  }

  private async once(settlement: Settlement): Promise<void> {
    if (this.outcome) throw new Error(`Local transport: message ${this.message.messageId} was already settled`);
    this.outcome = this.settle(settlement);
    await this.outcome;
  }
}

interface InFlight {
  readonly seq: number;
  readonly delivery: LocalDelivery;
}

/**
 * A consumer loop on one address. It locks as many visible messages as it has room for in one statement, hands each
 * to the handler without waiting for the others, renews the leases of those in hand, and looks again when woken:
 * by a change to the database, by its own timer for the next message that becomes visible, or by a slot freeing up.
 */
export class Consumer implements Closable {
  /** Names this consumer's locks in the table, so one statement renews them all. */
  private readonly id = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly inFlight = new Set<InFlight>();
  private readonly warned = new Set<string>();
  private batches = 0;
  private pokeScheduled = false;
  private waitingForGate = false;
  private closing = false;
  private closed: Promise<void> | undefined;
  private drained: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private renewal: NodeJS.Timeout | undefined;
  private stopWaking: (() => void) | undefined;

  constructor(
    private readonly store: MessageStore,
    private readonly settlements: Settlements,
    private readonly hub: WakeHub,
    private readonly options: ConsumerOptions,
  ) {}

  start(): void {
    this.stopWaking = this.hub.subscribe(this.options.address, () => this.poke());
    this.poke();
  }

  /** Stops taking messages and waits for the handlers in progress to finish and their settlements to be written. */
  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  private async shutDown(): Promise<void> {
    this.closing = true;
    this.stopWaking?.();
    clearTimeout(this.timer);
    if (this.inFlight.size > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    this.stopRenewing();
  }

  /**
   * Looks for messages. Fetching is synchronous, so two never overlap; wake-ups that arrive meanwhile wait in the
   * event loop and were already coalesced by the hub or `pokeSoon`.
   */
  private poke(): void {
    if (this.closing) return;
    const { gate } = this.options;
    if (gate?.paused) {
      // Woken once when the gate resumes; the renewal timer keeps the locks of those in hand meanwhile.
      if (!this.waitingForGate) {
        this.waitingForGate = true;
        void gate.whenResumed().then(() => {
          this.waitingForGate = false;
          this.poke();
        });
      }
      return;
    }
    try {
      this.fetch();
    } catch (error) {
      // Usually SQLITE_BUSY past the busy timeout: another process held the write lock too long. Try again later.
      this.warnOnce('fetch', `could not lock messages: ${String(error)}`);
      this.wakeIn(RECHECK_MS);
    }
  }

  private fetch(): void {
    for (;;) {
      const room = this.options.concurrency - this.inFlight.size;
      // When full, a handler that finishes frees a slot and pokes again.
      if (room <= 0) return this.wakeIn(RECHECK_MS);
      // Fewer rows than asked for: nothing more is visible. As many: look again, as some may have been dead-lettered.
      if (this.lockBatch(room) < room || this.closing) break;
    }
    this.wakeAtNextVisible();
  }

  /** Locks and dispatches up to `room` messages; returns how many rows it locked (dead-lettered ones included). */
  private lockBatch(room: number): number {
    const { address, maxDeliveryCount, lockMs } = this.options;
    // A read never waits for the writer and takes no lock, so a wake-up with nothing to do stays cheap.
    const earliest = this.store.earliestVisibleAt(address);
    if (earliest === undefined || earliest > Date.now()) return 0;
    const token = `${this.id}:${++this.batches}`;
    const request = { address, maxDeliveryCount, consumer: this.id, token, limit: room, lockMs };
    const { locked, deliverable } = this.store.lock(request, Date.now());
    for (const message of deliverable) this.dispatch(message);
    return locked;
  }

  /** Delayed messages and lapsed leases make no event when they become visible, so a timer waits for the earliest. */
  private wakeAtNextVisible(): void {
    const next = this.store.earliestVisibleAt(this.options.address);
    this.wakeIn(next === undefined ? RECHECK_MS : Math.min(RECHECK_MS, Math.max(0, next - Date.now() + 1)));
  }

  private wakeIn(ms: number): void {
    clearTimeout(this.timer);
    if (!this.closing) this.timer = setTimeout(() => this.poke(), ms);
  }

  private dispatch(locked: LockedMessage): void {
    const delivery = new LocalDelivery(locked.message, locked.attempt, (settlement) => this.settle(locked, settlement));
    const entry = { seq: locked.seq, delivery };
    this.inFlight.add(entry);
    this.startRenewing();
    void this.handle(entry);
  }

  private async handle(entry: InFlight): Promise<void> {
    const { delivery } = entry;
    try {
      await this.options.handler(delivery);
    } catch (error) {
      if (!delivery.settled) {
        this.warnOnce('failed', `a handler failed without settling; its message is released for redelivery: ${String(error)}`);
        delivery.release().catch(() => undefined);
      }
    }
    if (!delivery.settled) {
      // As with Service Bus or SQS, it stays locked (without renewal) until the lease lapses, then comes back; a late
      // settle still works until then.
      this.warnOnce('unsettled', 'a handler returned without settling; its message comes back when its lease lapses');
    }
    // A settlement that failed to write leaves the lease to lapse, and the message is delivered again.
    await delivery.settled?.catch(() => undefined);
    this.finished(entry);
  }

  private finished(entry: InFlight): void {
    this.inFlight.delete(entry);
    if (this.inFlight.size === 0) {
      this.stopRenewing();
      this.drained?.();
    }
    this.pokeSoon();
  }

  /**
   * A batch fetched together tends to settle together, in one write and one burst of microtasks: looking once they
   * all have finished locks a full batch again, where looking after each would lock one message per transaction.
   */
  private pokeSoon(): void {
    if (this.pokeScheduled) return;
    this.pokeScheduled = true;
    setImmediate(() => {
      this.pokeScheduled = false;
      this.poke();
    });
  }

  private async settle(lock: Lock, settlement: Settlement): Promise<boolean> {
    const held = await this.settlements.submit(lock, settlement, this.options.address);
    if (!held) {
      this.warnOnce('lost', 'a lock was lost before its message was settled (lease lapsed?); the message will be delivered again');
    }
    return held;
  }

  private startRenewing(): void {
    // A third of the lease: two renewals can be missed (a long GC pause, a busy disk) before the lock is lost.
    this.renewal ??= setInterval(() => this.renew(), Math.max(10, Math.floor(this.options.lockMs / 3)));
  }

  private stopRenewing(): void {
    clearInterval(this.renewal);
    this.renewal = undefined;
  }

  private renew(): void {
    const seqs = [...this.inFlight].map((entry) => entry.seq);
    try {
      this.store.renew(seqs, this.id, Date.now() + this.options.lockMs);
    } catch (error) {
      this.warnOnce('renew', `could not renew locks: ${String(error)}`);
    }
  }

  private warnOnce(kind: string, text: string): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    warn(`Local transport (${this.options.label}): ${text}`);
  }
}
