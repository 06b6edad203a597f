import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLOutputValue, type StatementSync } from 'node:sqlite';

/** Long enough to ride out another process's write transaction or a checkpoint, short enough to surface a stuck one. */
const BUSY_TIMEOUT_MS = 5_000;

export type Row = Record<string, SQLOutputValue>;

/** Opens (creating it and its folder if needed) the shared file in WAL mode, so readers never wait for the writer. */
export function openDatabase(file: string): DatabaseSync {
  mkdirSync(dirname(file), { recursive: true });
  // The busy timeout is set before anything else: switching a fresh file to WAL needs a moment of exclusive access,
  // and several processes may be starting at once.
  const db = new DatabaseSync(file, { timeout: BUSY_TIMEOUT_MS });
  db.exec('PRAGMA journal_mode = WAL');
  // In WAL mode NORMAL syncs only at checkpoints: a power cut may lose the last commits, never corrupt the file.
  db.exec('PRAGMA synchronous = NORMAL');
  return db;
}

/**
 * Runs units of work as BEGIN IMMEDIATE transactions: the write lock is taken up front, so two processes never both
 * read under a shared lock and then fail to upgrade it (SQLITE_BUSY mid-transaction, which the busy timeout can't fix).
 */
export class Transactions {
  private readonly begin: StatementSync;
  private readonly commit: StatementSync;
  private readonly rollback: StatementSync;

  constructor(private readonly db: DatabaseSync) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
  }

  run<T>(work: () => T): T {
    this.begin.run();
    try {
      const result = work();
      this.commit.run();
      return result;
    } catch (error) {
      if (this.db.isTransaction) this.rollback.run();
      throw error;
    }
  }
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

/** Dead letter ids and lists of rows travel into SQL as one JSON array, read back with json_each. */
export function jsonIntegers(values: readonly (number | string)[]): string {
  return JSON.stringify(values.map(Number).filter(Number.isSafeInteger));
}
