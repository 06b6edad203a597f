import type { BeforeApplicationShutdown } from '@nestjs/common';
import { filter, Observable, Subject } from 'rxjs';
import type { Notification } from './notification';

/** A stored notification: `seq` is its place in the order they were committed, and its server-sent event id. */
export interface StoredNotification {
  readonly seq: bigint;
  readonly notification: Notification;
}

/** Reads the stored notifications after `seq`, oldest first, at most `limit`, of one user or of everyone. */
export type ReadAfter = (seq: bigint, userId: string | undefined, limit: number) => Promise<StoredNotification[]>;

/**
 * The notifications this replica pushes to the browsers connected to it. Every replica reads every stored
 * notification (the database is the backplane) and hands them here in `seq` order; a row handed twice (a catch-up
 * overlapping a read) is pushed once.
 */
export class NotificationFeed implements BeforeApplicationShutdown {
  private readonly pushes = new Subject<StoredNotification>();
  private highest: bigint;

  /** `from`: the last seq stored when the replica started; what came before it is not pushed live. */
  constructor(from = 0n) {
    this.highest = from;
  }

  /** The last seq pushed: a catch-up reads after it. */
  get lastSeq(): bigint {
    return this.highest;
  }

  /** Pushes what is newer than the last seq pushed, in order; returns how many were pushed. */
  push(rows: readonly StoredNotification[]): number {
    let pushed = 0;
    for (const row of rows) {
      if (row.seq <= this.highest) continue;
      this.highest = row.seq;
      this.pushes.next(row);
      pushed += 1;
    }
    return pushed;
  }

  /** Notifications from now on, of one user or of everyone; completes when the service shuts down. */
  live(userId?: string): Observable<StoredNotification> {
    return userId ? this.pushes.pipe(filter((row) => row.notification.userId === userId)) : this.pushes.asObservable();
  }

  /**
   * Ends every open stream before the HTTP server closes. The server closes idle connections at once but waits
   * for busy ones (up to the keep-alive timeout), so the ended responses get a moment to finish first.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.pushes.complete();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A browser resuming after `after` (its Last-Event-ID): the stored notifications after it, page by page, then the
 * live ones, with no gap and no repeat. The live stream is subscribed to first and held while the replay reads, so
 * whatever commits meanwhile is either in the replay or comes live; a row in both goes out once, as every row's
 * seq must be above the last one sent.
 */
export function replayThenLive(
  after: bigint,
  read: (seq: bigint, limit: number) => Promise<StoredNotification[]>,
  live: Observable<StoredNotification>,
  pageSize = 500,
): Observable<StoredNotification> {
  return new Observable<StoredNotification>((subscriber) => {
    let sent = after;
    let held: StoredNotification[] | undefined = [];
    const send = (row: StoredNotification) => {
      if (row.seq <= sent) return;
      sent = row.seq;
      subscriber.next(row);
    };
    const subscription = live.subscribe({
      next: (row) => (held ? held.push(row) : send(row)),
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
    void (async () => {
      for (;;) {
        const page = await read(sent, pageSize);
        if (subscriber.closed) return;
        const before = sent;
        page.forEach(send);
        // A short page is the last one; a page of nothing newer would read the same page again.
        if (page.length < pageSize || sent === before) break;
      }
      const waiting = held ?? [];
      held = undefined;
      waiting.forEach(send);
    })().catch((error: unknown) => subscriber.error(error));
    return () => subscription.unsubscribe();
  });
}
