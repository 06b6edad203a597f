import { Worker } from 'node:worker_threads';
import { warn } from './warn';

/** Commits accumulate this long before a checkpoint, so a busy process checkpoints a few times a second at most. */
const PAUSE_MS = 100;
const WRITES = 0;
const STOP = 1;

/**
 * Runs in the worker, as plain JavaScript so it needs no TypeScript loader. It sleeps until this process has
 * committed something, waits a moment for more, then copies the WAL into the database file (PASSIVE: it never blocks
 * readers or writers; if another process is checkpointing, that one does the work).
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const { file, state, pauseMs } = workerData;
const db = new DatabaseSync(file);
// Prepared on first use: while another process creates the file's tables it holds the schema locked, and a prepare
// then fails with "database is locked".
let checkpoint;
let seen = 0;
while (Atomics.load(state, ${STOP}) === 0) {
  Atomics.wait(state, ${WRITES}, seen);
  Atomics.wait(state, ${STOP}, 0, pauseMs);
  seen = Atomics.load(state, ${WRITES});
  try {
    checkpoint ??= db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
    checkpoint.get();
  } catch {
    // Busy with another checkpointer, a closing connection or a schema change: the next round catches up.
  }
}
db.close();
`;

/**
 * Checkpoints the WAL from a worker thread. A checkpoint syncs the database file to disk, which on a slow or busy disk
 * takes tens of milliseconds; done by SQLite's automatic checkpoint, that stall would land inside some commit and
 * hold up every message behind it. The worker idles at no cost: it blocks until this process writes.
 */
export class Checkpointer {
  private readonly state = new Int32Array(new SharedArrayBuffer(8));
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  constructor(file: string) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, state: this.state, pauseMs: PAUSE_MS } });
    this.worker.on('error', (error) =>
      warn(`Local transport: the checkpoint thread failed; SQLite checkpoints by itself: ${String(error)}`),
    );
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    // Stopping is what ends it; it must not keep the process alive on its own.
    this.worker.unref();
  }

  /** Call after each commit: wakes the worker if it sleeps (a futex wake, no message passing). */
  wrote(): void {
    Atomics.add(this.state, WRITES, 1);
    Atomics.notify(this.state, WRITES);
  }

  async stop(): Promise<void> {
    // Referenced again, or a process with nothing else to do would exit before the worker has closed its connection.
    this.worker.ref();
    Atomics.store(this.state, STOP, 1);
    Atomics.notify(this.state, WRITES);
    Atomics.notify(this.state, STOP);
    await this.exited;
  }
}
