import { Inject, Injectable } from '@nestjs/common';
import { Database } from '@stitch/persistence';
import type { PrismaClient } from '../generated/prisma/client';
import type { Notification } from './notification';
import type { StoredNotification } from './notification-feed';

/** The channel a committed notification is announced on; every replica listens to it. */
export const NOTIFICATION_CHANNEL = 'stitch_notification';

/**
 * Held from before a notification takes its seq until its transaction ends, so notifications commit in seq order:
 * a replica that has read up to seq n never sees a smaller one commit later, and the stale rule reads every
 * committed version of the order. (An advisory lock of its own: the migrations use 727073690001.)
 */
const COMMIT_ORDER_LOCK = 727073690002n;

export type StoreVerdict = 'stored' | 'duplicate' | 'stale';

/** The `notification` table: what the handlers store and every replica reads and pushes. */
@Injectable()
export class NotificationStore {
  constructor(@Inject(Database) private readonly db: Database<PrismaClient>) {}

  /**
   * Stores a notification and announces its seq (`pg_notify`), unless it is a repeat of a stored message or an
   * order event not newer than the newest stored for its order. Runs in the caller's transaction (the inbox's):
   * PostgreSQL delivers the announcement on commit only, so no replica pushes what was rolled back.
   */
  async store(notification: Notification): Promise<StoreVerdict> {
    return this.db.transaction(async () => {
      const client = this.db.client;
      await client.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${COMMIT_ORDER_LOCK})`);
      const { orderId, version } = notification;
      if (orderId !== undefined && version !== undefined) {
        const newest = await client.notification.aggregate({ where: { orderId }, _max: { orderVersion: true } });
        const last = newest._max.orderVersion;
        if (last !== null && version <= last) return 'stale';
      }
      // One statement for what a findUnique and a create did in two; ON CONFLICT rather than createMany, which Prisma
      // compiles anew on every call (docs/benchmarks.md). The inbox has skipped a repeated message before this runs.
      const [row] = await client.$queryRaw<Array<{ seq: bigint }>>`
        INSERT INTO notification (message_id, user_id, order_id, order_version, payload)
        VALUES (${notification.id}, ${notification.userId}, ${orderId ?? null}, ${version ?? null}, ${JSON.stringify(notification)}::jsonb)
        ON CONFLICT (message_id) DO NOTHING
        RETURNING seq`;
      if (!row) return 'duplicate';
      await client.$executeRawUnsafe('SELECT pg_notify($1, $2)', NOTIFICATION_CHANNEL, row.seq.toString());
      return 'stored';
    });
  }

  /** The stored notifications after `seq`, oldest first: of one user, or of everyone. */
  async after(seq: bigint, limit: number, userId?: string): Promise<StoredNotification[]> {
    const rows = await this.db.root.notification.findMany({
      where: { seq: { gt: seq }, ...(userId ? { userId } : {}) },
      orderBy: { seq: 'asc' },
      take: limit,
      select: { seq: true, payload: true },
    });
    return rows.map((row) => ({ seq: row.seq, notification: row.payload as unknown as Notification }));
  }

  /** The newest seq stored (0 when there is none). */
  async lastSeq(): Promise<bigint> {
    const newest = await this.db.root.notification.aggregate({ _max: { seq: true } });
    return newest._max.seq ?? 0n;
  }

  /** Deletes the notifications created before `before`; returns how many. */
  async prune(before: Date): Promise<number> {
    const { count } = await this.db.root.notification.deleteMany({ where: { createdAt: { lt: before } } });
    return count;
  }
}
