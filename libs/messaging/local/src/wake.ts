import { closeSync, constants, openSync, watch, writeSync, type FSWatcher } from 'node:fs';
import { warn } from './warn';

const ONE_BYTE = Buffer.from([1]);

/** The channel flow subscribers wait on; every other channel is an address (a queue, `topic/subscription`). */
export const FLOW_WAKE_CHANNEL = 'flow';

interface Channel {
  readonly file: string;
  fd: number | undefined;
  watcher: FSWatcher | undefined;
  readonly listeners: Set<() => void>;
  scheduled: boolean;
}

/**
 * Wakes consumers and flow subscribers, in this process and in the others sharing the file, after a commit they may
 * be waiting for: messages sent or released, dead letters replayed, flow records written. No polling.
 *
 * Across processes the wake-up is a file-system event. After such a commit the writer writes a byte to one small file
 * per channel it concerns, `<file>-wake-<channel>`: the address the messages went to, or the flow. A process watches
 * (inotify on Linux) only the files of the channels it waits on, so a message for order-service wakes order-service's
 * processes and no others; a shop of seven processes would otherwise wake all seven for every send, and pay for it in
 * CPU. Watching the `-wal` file instead is not enough: SQLite writes the WAL frames before it publishes the commit in
 * its shared-memory index, so a reader woken by that write can look too early, find nothing, and miss the message
 * until its next re-check.
 */
export class WakeHub {
  private readonly channels = new Map<string, Channel>();
  private warned = false;

  constructor(private readonly file: string) {}

  /** Calls `listener` after commits on `channel`; returns the function that stops it. Its file is watched while anyone listens. */
  subscribe(channel: string, listener: () => void): () => void {
    const entry = this.channel(channel);
    entry.listeners.add(listener);
    this.watch(entry);
    return () => {
      entry.listeners.delete(listener);
      if (entry.listeners.size === 0) this.unwatch(entry);
    };
  }

  /** Call after committing something others may be waiting for on these channels. */
  notify(channels: Iterable<string>): void {
    for (const name of channels) {
      const entry = this.channel(name);
      try {
        writeSync(this.open(entry), ONE_BYTE, 0, 1, 0);
      } catch (error) {
        this.warnOnce(`could not signal other processes, they will notice within seconds: ${String(error)}`);
      }
      // Listeners here needn't wait for the file-system event.
      this.wakeListeners(entry);
    }
  }

  close(): void {
    for (const entry of this.channels.values()) {
      entry.listeners.clear();
      this.unwatch(entry);
      if (entry.fd !== undefined) closeSync(entry.fd);
      entry.fd = undefined;
    }
    this.channels.clear();
  }

  private channel(name: string): Channel {
    let entry = this.channels.get(name);
    if (!entry) {
      // An address may hold a slash (`events/order-service`): one flat file name per channel.
      entry = {
        file: `${this.file}-wake-${encodeURIComponent(name)}`,
        fd: undefined,
        watcher: undefined,
        listeners: new Set(),
        scheduled: false,
      };
      this.channels.set(name, entry);
    }
    return entry;
  }

  /** The channel's file, opened once; the first writer or watcher creates it, empty, since it must exist to be watched. */
  private open(entry: Channel): number {
    return (entry.fd ??= openSync(entry.file, constants.O_RDWR | constants.O_CREAT));
  }

  /** Many commits can land in one turn of the event loop: they coalesce into one call of each listener. */
  private wakeListeners(entry: Channel): void {
    if (entry.scheduled || entry.listeners.size === 0) return;
    entry.scheduled = true;
    setImmediate(() => {
      entry.scheduled = false;
      for (const listener of [...entry.listeners]) listener();
    });
  }

  private watch(entry: Channel): void {
    if (entry.watcher) return;
    try {
      this.open(entry);
      entry.watcher = watch(entry.file, () => this.wakeListeners(entry));
    } catch (error) {
      this.warnOnce(`watching ${entry.file} failed, falling back to slow re-checks: ${String(error)}`);
      return;
    }
    entry.watcher.on('error', (error) => {
      this.warnOnce(`watching ${entry.file} failed, falling back to slow re-checks: ${String(error)}`);
      this.unwatch(entry);
    });
  }

  private unwatch(entry: Channel): void {
    entry.watcher?.close();
    entry.watcher = undefined;
  }

  private warnOnce(text: string): void {
    if (this.warned) return;
    this.warned = true;
    warn(`Local transport: ${text}`);
  }
}
