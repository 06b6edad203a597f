import type { Envelope, Logger, WrappedOutcome } from '@stitch/messaging-core';
import type { Database } from '../database/database';
import { classifyDatabaseError } from '../database/classify-database-error';
import type { PrismaClientLike } from '../database/prisma-client';

const RECORD = 'INSERT INTO stitch_inbox (message_id, type) VALUES ($1, $2) ON CONFLICT (message_id) DO NOTHING';

/**
 * The handler wrapper that makes a service's handlers idempotent. One transaction records the message id in
 * `stitch_inbox` and runs the handler, so the handler's state changes, the messages it sends (outbox rows)
 * and the record that it ran commit together or not at all. A message whose id is already recorded was
 * handled: its repeat (a redelivery, a relay sending twice) is completed without running the handler again, and
 * reported as a `duplicate` so the flow records show it as one rather than as a second `handled`.
 */
export class Inbox {
  constructor(
    private readonly database: Database<PrismaClientLike>,
    private readonly logger: Logger,
  ) {}

  async wrap(envelope: Envelope, work: () => Promise<void>): Promise<WrappedOutcome | void> {
    try {
      return await this.database.transaction(async (): Promise<WrappedOutcome | void> => {
        // A concurrent delivery of the same id waits here on the uncommitted row, then finds it (skips) or,
        // if the first one rolled back, records it itself.
        const recorded = await this.database.client.$executeRawUnsafe(RECORD, envelope.id, envelope.type);
        if (recorded === 0) {
          this.logger.debug({ messageId: envelope.id, type: envelope.type }, 'already handled; skipping the repeat');
          return 'duplicate';
        }
        await work();
      });
    } catch (error) {
      // Data PostgreSQL will never take (a NUL, a CHECK) is dead-lettered at once instead of retried in vain.
      throw classifyDatabaseError(error);
    }
  }
}
