import type { Lock, LockedSettlement, MessageStore, Settlement } from './messages';

interface Pending extends LockedSettlement {
  readonly address: string;
  resolve(held: boolean): void;
  reject(error: unknown): void;
}

/**
 * Collects the settlements made during one turn of the event loop and applies them in one transaction: handlers that
 * finish together (a batch fetched together usually does) cost one commit instead of one each.
 */
export class Settlements {
  private pending: Pending[] = [];

  /** `onRelease` runs after messages were made visible again, with their addresses, to wake the consumers that may want them. */
  constructor(
    private readonly store: MessageStore,
    private readonly onRelease: (addresses: ReadonlySet<string>) => void,
  ) {}

  /** Resolves once applied: true if the lock was still held, false if it was lost and the message will come back. */
  submit(lock: Lock, settlement: Settlement, address: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ lock, settlement, address, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    let held: boolean[];
    try {
      held = this.store.settle(batch);
    } catch (error) {
      // Nothing was applied; the leases lapse and the messages are delivered again.
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, index) => item.resolve(held[index] ?? false));
    const released = new Set(batch.filter((item) => item.settlement.kind === 'retry').map((item) => item.address));
    if (released.size > 0) this.onRelease(released);
  }
}
