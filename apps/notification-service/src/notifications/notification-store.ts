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
      // The rest in one statement, after the lock's: a statement reads what had committed when it began, so the stale
      // check must begin once the lock is held. A repeated message is skipped by the inbox before this runs; ON
      // CONFLICT covers one that was not. Without an order or a version nothing is stale (a comparison with NULL is never
      // true). The announcement is a CTE of its own, for an inserted row only; the result reads it because PostgreSQL
      // runs a SELECT CTE only when something reads it.
      const orderId = notification.orderId ?? null;
      const version = notification.version ?? null;
      const [outcome] = await client.$queryRaw<Array<{ stale: boolean; seq: bigint | null }>>`
        WITH verdict AS (
          SELECT EXISTS (
            SELECT 1 FROM notification WHERE order_id = ${orderId}::text AND order_version >= ${version}::int
          ) AS stale
        ), inserted AS (
          INSERT INTO notification (message_id, user_id, order_id, order_version, payload)
          SELECT ${notification.id}::text, ${notification.userId}::text, ${orderId}::text, ${version}::int, ${JSON.stringify(notification)}::jsonb
          FROM verdict WHERE NOT verdict.stale
          ON CONFLICT (message_id) DO NOTHING
          RETURNING seq
        ), announced AS (
          SELECT pg_notify(${NOTIFICATION_CHANNEL}, seq::text) FROM inserted
        )
        SELECT verdict.stale, inserted.seq, (SELECT count(*) FROM announced) AS announced
        FROM verdict LEFT JOIN inserted ON true`;
      if (!outcome) throw new Error('storing a notification returned no verdict');
      if (outcome.stale) return 'stale';
      return outcome.seq === null ? 'duplicate' : 'stored';
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
