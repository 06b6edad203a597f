import type { PrismaClientLike } from './prisma-client';

/**
 * Fails start-up with a readable message when the service's migrations did not create the outbox and inbox
 * tables (its schema folder lacked the generated `stitch.prisma` include when its migrations were made),
 * rather than failing the first message with "relation does not exist".
 */
export async function requirePersistenceTables(client: PrismaClientLike): Promise<void> {
  const rows = await client.$queryRawUnsafe<Array<{ table_name: string; present: boolean }>>(
    `SELECT t AS table_name, to_regclass(t) IS NOT NULL AS present FROM unnest(ARRAY['stitch_outbox', 'stitch_inbox']) AS t`,
  );
  const missing = rows.filter((row) => !row.present).map((row) => row.table_name);
  if (missing.length > 0) {
    throw new Error(
      `the database has no ${missing.join(' or ')} table: the service's migrations must create them from libs/persistence/prisma/stitch.prisma, ` +
        "which the project's generate target writes into its schema folder (tools/prisma/migrate.ts create <name> writes it and the migration)",
    );
  }
}
