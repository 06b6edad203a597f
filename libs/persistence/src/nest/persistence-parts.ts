import type { Database } from '../database/database';
import type { PrismaClientLike } from '../database/prisma-client';
import type { Inbox } from '../inbox/inbox';
import type { OutboxDispatcher } from '../outbox/outbox-dispatcher';
import type { OutboxRelay } from '../outbox/outbox-relay';

/**
 * What one PersistenceModule builds, at different moments: the database and the outbox once the migrations
 * have run, the inbox and the relay once the app has booted and the messaging runtime (its transport and
 * logger) exists. The providers share it; the outbox and inbox tokens forward to it.
 */
export class PersistenceParts {
  database?: Database<PrismaClientLike>;
  outbox?: OutboxDispatcher;
  inbox?: Inbox;
  relay?: OutboxRelay;
  appliedMigrationNames: readonly string[] = [];
}

export function ready<T>(part: T | undefined, name: string): T {
  if (part === undefined) throw new Error(`the ${name} was used before the app finished starting`);
  return part;
}
