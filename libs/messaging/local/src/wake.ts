import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { warn } from './warn';

/**
 * Wakes this process's consumers and flow subscribers when the database changes, without polling. Every commit, from
 * any process, appends to the `-wal` file next to the database; watching the folder (not the file, which SQLite
 * deletes and recreates) turns those writes into events. Reads do not write, so an idle bus makes no events.
 */
export class WakeHub {
  private readonly listeners = new Set<() => void>();
  private readonly folder: string;
  private readonly prefix: string;
  private watcher: FSWatcher | undefined;
  private scheduled = false;

  constructor(file: string) {
    this.folder = dirname(file);
    this.prefix = basename(file);
  }

  /** Calls `listener` after changes; returns the function that stops it. The folder is watched while anyone listens. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    this.watch();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.unwatch();
    };
  }

  /**
   * Asks for the listeners to run soon. A commit writes several pages, each an event, and many commits can land in
   * one turn of the event loop: they all coalesce into one call of each listener.
   */
  notify(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const listener of [...this.listeners]) listener();
    });
  }

  close(): void {
    this.listeners.clear();
    this.unwatch();
  }

  private watch(): void {
    if (this.watcher) return;
    this.watcher = watch(this.folder, (_event, filename) => {
      if (filename === null || filename.startsWith(this.prefix)) this.notify();
    });
    this.watcher.on('error', (error) => {
      // Consumers still find messages through their periodic re-check, only later.
      warn(`Local transport: watching ${this.folder} failed, falling back to slow re-checks: ${String(error)}`);
      this.unwatch();
    });
  }

  private unwatch(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}
