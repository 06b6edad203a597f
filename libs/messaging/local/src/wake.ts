import { closeSync, constants, openSync, watch, writeSync, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { warn } from './warn';

const ONE_BYTE = Buffer.from([1]);

/**
 * Wakes consumers and flow subscribers, in this process and in the others sharing the file, after a commit they may
 * be waiting for: messages sent or released, dead letters replayed, flow records written. No polling.
 *
 * Across processes the wake-up is a file-system event. After such a commit the writer writes a byte to `<file>-wake`,
 * and every process that listens watches the folder (inotify on Linux). Watching the `-wal` file instead is not enough:
 * SQLite writes the WAL frames before it publishes the commit in its shared-memory index, so a reader woken by that
 * write can look too early, find nothing, and miss the message until its next re-check. It would also wake everyone
 * for locks and completes, which nobody waits for.
 */
export class WakeHub {
  private readonly listeners = new Set<() => void>();
  private readonly folder: string;
  private readonly signalName: string;
  private readonly signalFd: number;
  private watcher: FSWatcher | undefined;
  private scheduled = false;
  private warned = false;

  constructor(file: string) {
    this.folder = dirname(file);
    this.signalName = `${basename(file)}-wake`;
    this.signalFd = openSync(join(this.folder, this.signalName), constants.O_RDWR | constants.O_CREAT);
  }

  /** Calls `listener` after such commits; returns the function that stops it. The folder is watched while anyone listens. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    this.watch();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.unwatch();
    };
  }

  /** Call after committing something others may be waiting for. */
  notify(): void {
    try {
      writeSync(this.signalFd, ONE_BYTE, 0, 1, 0);
    } catch (error) {
      this.warnOnce(`could not signal other processes, they will notice within seconds: ${String(error)}`);
    }
    // Listeners here needn't wait for the file-system event.
    this.wakeListeners();
  }

  close(): void {
    this.listeners.clear();
    this.unwatch();
    closeSync(this.signalFd);
  }

  /** Many commits can land in one turn of the event loop: they coalesce into one call of each listener. */
  private wakeListeners(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const listener of [...this.listeners]) listener();
    });
  }

  private watch(): void {
    if (this.watcher) return;
    this.watcher = watch(this.folder, (_event, filename) => {
      if (filename === null || filename === this.signalName) this.wakeListeners();
    });
    this.watcher.on('error', (error) => {
      this.warnOnce(`watching ${this.folder} failed, falling back to slow re-checks: ${String(error)}`);
      this.unwatch();
    });
  }

  private unwatch(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private warnOnce(text: string): void {
    if (this.warned) return;
    this.warned = true;
    warn(`Local transport: ${text}`);
  }
}
