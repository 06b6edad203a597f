import type { BeforeApplicationShutdown } from '@nestjs/common';
import { filter, Observable, Subject } from 'rxjs';
import type { Notification } from './notification';
import { Recent } from './recent';

export type Verdict = 'pushed' | 'duplicate' | 'stale';

export interface FeedLimits {
  /** How many message ids are remembered to push a redelivered one once. */
  readonly recentIds: number;
  /** How many orders' last versions are remembered to drop stale order events. */
  readonly orders: number;
}

/**
 * The live feed of notifications to connected browsers. Two rules keep it truthful, because no transport
 * promises order or exactly-once delivery:
 * - a redelivered message (same id) is pushed once;
 * - an order event whose version is not above the last one seen for that order is stale (it arrived late, after
 *   a newer state) and is dropped, so a browser never sees an order go back from confirmed to pending.
 * Both are in memory only: a push is ephemeral, so there is nothing to keep across restarts.
 */
export class NotificationFeed implements BeforeApplicationShutdown {
  private readonly pushes = new Subject<Notification>();
  private readonly seenIds: Recent<string, true>;
  private readonly orderVersions: Recent<string, number>;

  constructor(limits: FeedLimits = { recentIds: 10_000, orders: 10_000 }) {
    this.seenIds = new Recent(limits.recentIds);
    this.orderVersions = new Recent(limits.orders);
  }

  accept(notification: Notification): Verdict {
    if (this.seenIds.has(notification.id)) return 'duplicate';
    this.seenIds.set(notification.id, true);
    if (notification.orderId !== undefined && notification.version !== undefined) {
      const last = this.orderVersions.get(notification.orderId);
      if (last !== undefined && notification.version <= last) return 'stale';
      this.orderVersions.set(notification.orderId, notification.version);
    }
    this.pushes.next(notification);
    return 'pushed';
  }

  /** Notifications from now on, of one user or of everyone; completes when the service shuts down. */
  notifications(userId?: string): Observable<Notification> {
    return userId ? this.pushes.pipe(filter((n) => n.userId === userId)) : this.pushes.asObservable();
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
