import pg from 'pg';
import { postgresConnection, type PostgresConnectionSettings } from '../postgres/connection-options';
import { readMigrationsList, readSchemaFiles } from './migration-files';
import { PgMigrationAdapterFactory } from './pg-migration-adapter';
import { NO_FILTERS, withSchemaEngine, type EngineLog } from './schema-engine';

/**
 * Our advisory-lock key. Deliberately NOT 72707369, the key the engine itself locks (like the native engine)
 * on one of ITS connections: holding that key on our lock connection would deadlock the engine against us.
 */
export const MIGRATION_LOCK_KEY = 727073690001n;

export interface ApplyMigrationsOptions {
  readonly databaseUrl: string;
  /** The password and TLS beside the URL, for every connection (see postgresConnection). */
  readonly connection?: PostgresConnectionSettings;
  /** The schema file, or the folder of a multi-file schema. */
  readonly schemaPath: string;
  readonly migrationsDir: string;
  /** Give up waiting for another process's migration after this long (PostgreSQL lock_timeout); default: wait. */
  readonly lockTimeoutMs?: number;
  readonly lockKey?: bigint;
  readonly log?: EngineLog;
}

export interface ApplyMigrationsResult {
  /** The migrations THIS call applied: [] when the database was already up to date. */
  readonly appliedMigrationNames: readonly string[];
  readonly lockWaitMs: number;
  readonly totalMs: number;
}

/**
 * `prisma migrate deploy`: applies pending migrations and records them in `_prisma_migrations` exactly as the
 * CLI does (the engine writes the rows). Replicas starting together serialise on an advisory lock: one applies,
 * the others wait and then find nothing left to do. The engine's own lock would serialise them too, but it
 * waits without limit; ours has a timeout we control and does not rely on engine internals.
 */
export async function applyMigrations(options: ApplyMigrationsOptions): Promise<ApplyMigrationsResult> {
  const startedAt = performance.now();
  const [schemaFiles, migrationsList] = await Promise.all([readSchemaFiles(options.schemaPath), readMigrationsList(options.migrationsDir)]);
  if (migrationsList.migrationDirectories.length === 0) throw new Error(`no migrations in ${migrationsList.baseDir}`);

  // A session lock on a connection of its own, held until every engine connection is closed.
  const lock = new pg.Client({ ...postgresConnection(options.databaseUrl, options.connection), application_name: 'stitch-migrate-lock' });
  // Without a listener, the server going away while we wait would be an uncaught 'error' event; the pending
  // query rejects anyway.
  lock.on('error', () => undefined);
  await lock.connect();
  try {
    if (options.lockTimeoutMs !== undefined) await lock.query(`SET lock_timeout = ${Math.max(1, Math.floor(options.lockTimeoutMs))}`);
    const key = (options.lockKey ?? MIGRATION_LOCK_KEY).toString();
    const lockRequestedAt = performance.now();
    await lock.query('SELECT pg_advisory_lock($1::bigint)', [key]);
    const lockWaitMs = performance.now() - lockRequestedAt;
    try {
      const factory = new PgMigrationAdapterFactory({ databaseUrl: options.databaseUrl, connection: options.connection });
      const output = await withSchemaEngine(schemaFiles, factory, options.log, (engine) =>
        engine.applyMigrations({ migrationsList, filters: NO_FILTERS }),
      );
      return { appliedMigrationNames: output.appliedMigrationNames, lockWaitMs, totalMs: performance.now() - startedAt };
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
    }
  } finally {
    // Ending the session would release the lock anyway.
    await lock.end();
  }
}
