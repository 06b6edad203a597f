import type { StatementSync } from 'node:sqlite';
import type { Closable } from '@stitch/messaging-core';
import { RECHECK_MS } from './consumer';
import { integer, optionalInteger, text, type Database, type Row } from './sqlite';
import { FLOW_WAKE_CHANNEL, type WakeHub } from './wake';
import { warn } from './warn';

/** Records read per query while catching up, so a backlog is read in slices rather than all at once. */
const PAGE = 500;

interface Pending {
  readonly records: readonly string[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The flow channel as an append-only table that every subscriber tails from where it started, so each replica sees
 * every record. Records live `ttlMs`; old ones are pruned now and then by whoever publishes.
 */
export class FlowLog {
  private readonly append: StatementSync;
  private readonly prune: StatementSync;
  private readonly latest: StatementSync;
  private readonly after: StatementSync;
  private readonly subscriptions = new Set<FlowSubscription>();
  private pending: Pending[] = [];
  private nextPruneAt = 0;

  constructor(
    private readonly db: Database,
    private readonly hub: WakeHub,
    private readonly ttlMs: number,
  ) {
    this.append = db.prepare('INSERT INTO flow (record, written_at) VALUES (?, ?)');
    this.prune = db.prepare('DELETE FROM flow WHERE written_at < ?');
    this.latest = db.prepare('SELECT MAX(seq) AS seq FROM flow');
    this.after = db.prepare(`SELECT seq, record FROM flow WHERE seq > ? ORDER BY seq LIMIT ${PAGE}`);
  }

  /** Records published in the same turn of the event loop are written in one transaction. */
  publish(records: readonly string[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.pending.push({ records, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  subscribe(onRecord: (record: string) => void): Closable {
    // seq only grows (AUTOINCREMENT), so "after the current maximum" is exactly "written from now on".
    const start =
      optionalInteger(
        this.db.read(() => this.latest.get()),
        'seq',
      ) ?? 0;
    const subscription = new FlowSubscription(
      start,
      (seq) => this.db.read(() => this.after.all(seq)),
      this.hub,
      onRecord,
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  close(): void {
    this.flush();
    for (const subscription of this.subscriptions) void subscription.close();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const now = Date.now();
    const prune = now >= this.nextPruneAt;
    try {
      this.db.write(() => {
        for (const { records } of batch) for (const record of records) this.append.run(record, now);
        if (prune) this.prune.run(now - this.ttlMs);
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    if (prune) this.nextPruneAt = now + this.ttlMs / 2;
    for (const item of batch) item.resolve();
    this.hub.notify([FLOW_WAKE_CHANNEL]);
  }
}

class FlowSubscription implements Closable {
  private readonly stopWaking: () => void;
  private readonly recheck: NodeJS.Timeout;
  private closed = false;

  constructor(
    private last: number,
    private readonly readAfter: (seq: number) => Row[],
    hub: WakeHub,
    private readonly onRecord: (record: string) => void,
    private readonly onClose: () => void,
  ) {
    this.stopWaking = hub.subscribe(FLOW_WAKE_CHANNEL, () => this.tail());
    this.recheck = setInterval(() => this.tail(), RECHECK_MS);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopWaking();
    clearInterval(this.recheck);
    this.onClose();
  }

  private tail(): void {
    try {
      let rows: Row[];
      do {
        if (this.closed) return;
        rows = this.readAfter(this.last);
        for (const row of rows) {
          this.last = integer(row, 'seq');
          this.deliver(text(row, 'record'));
        }
      } while (rows.length === PAGE);
    } catch (error) {
      warn(`Local transport (flow): could not read flow records: ${String(error)}`);
    }
  }

  private deliver(record: string): void {
    try {
      this.onRecord(record);
    } catch {
      // Flow records are best effort; a failing subscriber must not stop the others or the tail.
    }
  }
}
