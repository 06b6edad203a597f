import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLOutputValue, type StatementSync } from 'node:sqlite';
import { Checkpointer } from './checkpointer';

/** Long enough to ride out another process's transaction or a checkpoint, short enough to surface a stuck one. */
const BUSY_TIMEOUT_MS = 5_000;
/**
 * Longest pause between two tries for the write lock; the first is a tenth of that. Measured with a sender and four
 * consumer processes on two cores: shorter pauses burn CPU on failed tries, longer ones (SQLite's own busy timeout
 * sleeps 1, 2, 5, 10… ms) let one busy writer starve the others and stretch the latency tail.
 */
const MAX_BUSY_PAUSE_MS = 2;
const SQLITE_BUSY = 5;
/**
 * Checkpoints run on a worker thread (see checkpointer.ts), but under sustained writes a background checkpoint never
 * quite catches up, and SQLite restarts the WAL only after one that did. So a writer still checkpoints at this size
 * (about 40 MB): rarely, and quickly, since the thread has already copied nearly every page.
 */
const AUTO_CHECKPOINT_PAGES = 10_000;

export type Row = Record<string, SQLOutputValue>;

/**
 * The SQLite file as shared by several processes, in WAL mode so readers never wait for the writer.
 *
 * Writers still take turns. SQLite's own busy timeout would make a waiting writer sleep 1, 2, 5, 10… ms, far longer
 * than the transactions here last (tens of µs), which caps throughput and latency once a few processes write. So the
 * connection has no busy timeout and waits are retried here in sub-millisecond steps.
 */
export class Database {
  private readonly begin: StatementSync;
  private readonly commit: StatementSync;
  private readonly rollback: StatementSync;

  private constructor(
    private readonly sqlite: DatabaseSync,
    private readonly checkpointer: Checkpointer,
  ) {
    this.begin = this.prepare('BEGIN IMMEDIATE');
    this.commit = this.prepare('COMMIT');
    this.rollback = this.prepare('ROLLBACK');
  }

  /** Opens the file, creating it and its folder if needed. */
  static open(file: string): Database {
    mkdirSync(dirname(file), { recursive: true });
    const sqlite = new DatabaseSync(file);
    // Switching a fresh file to WAL needs a moment of exclusive access, and several processes may be starting at once.
    whenNotBusy(() => sqlite.exec('PRAGMA journal_mode = WAL'));
    // In WAL mode NORMAL syncs only at checkpoints: a power cut may lose the last commits, never corrupt the file.
    sqlite.exec('PRAGMA synchronous = NORMAL');
    sqlite.exec(`PRAGMA wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    return new Database(sqlite, new Checkpointer(file));
  }

  prepare(sql: string): StatementSync {
    return whenNotBusy(() => this.sqlite.prepare(sql));
  }

  /** For statements inside `write`. */
  exec(sql: string): void {
    this.sqlite.exec(sql);
  }

  /**
   * Runs `work` as one BEGIN IMMEDIATE transaction, tried again from the start while another process holds the write
   * lock. IMMEDIATE takes that lock up front, so a transaction never reads under a shared lock and then fails to
   * upgrade it midway. `work` must have no effects outside the database, as it may run more than once.
   */
  write<T>(work: () => T): T {
    return whenNotBusy(() => {
      this.begin.run();
      try {
        const result = work();
        this.commit.run();
        this.checkpointer.wrote();
        return result;
      } catch (error) {
        if (this.sqlite.isTransaction) this.rollback.run();
        throw error;
      }
    });
  }

  /** Runs reads, or one self-contained write statement, retried the same way on the rare SQLITE_BUSY. */
  read<T>(work: () => T): T {
    return whenNotBusy(work);
  }

  async close(): Promise<void> {
    this.sqlite.close();
    await this.checkpointer.stop();
  }
}

/** Sub-millisecond sleeps; the event loop is blocked meanwhile, as it would be inside SQLite's busy handler. */
const pauses = new Int32Array(new SharedArrayBuffer(4));

function whenNotBusy<T>(work: () => T): T {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let pause = MAX_BUSY_PAUSE_MS / 10; ; pause = Math.min(pause * 2, MAX_BUSY_PAUSE_MS)) {
    try {
      return work();
    } catch (error) {
      if (!isBusy(error) || Date.now() > deadline) throw error;
      // Jitter, so processes that collided once don't keep colliding in step.
      Atomics.wait(pauses, 0, 0, pause * (0.5 + Math.random()));
    }
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  // Extended codes (BUSY_RECOVERY, BUSY_SNAPSHOT…) share the primary code in their low byte.
  return typeof code === 'number' && (code & 0xff) === SQLITE_BUSY;
}

export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new Error(`Local transport: column ${column} is not text`);
  return value;
}

export function integer(row: Row, column: string): number {
  const value = row[column];
  if (typeof value !== 'number') throw new Error(`Local transport: column ${column} is not an integer`);
  return value;
}

export function optionalInteger(row: Row | undefined, column: string): number | undefined {
  const value = row?.[column];
  return typeof value === 'number' ? value : undefined;
}

/** Lists of ids travel into SQL as one JSON array, read back with json_each. */
export function jsonIntegers(values: readonly (number | string)[]): string {
  return JSON.stringify(values.map(Number).filter(Number.isSafeInteger));
}
