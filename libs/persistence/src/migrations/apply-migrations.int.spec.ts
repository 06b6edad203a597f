import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import {
  migratedDatabase,
  startTestPostgres,
  testMigrationsDir,
  testSchemaPath,
  type TestPostgres,
} from '../../test/support/test-postgres';
import { withDatabase } from '../postgres/database-url';
import { ensureDatabase } from '../postgres/ensure-database';
import { applyMigrations, MIGRATION_LOCK_KEY } from './apply-migrations';
import { readMigrationsList } from './migration-files';
import { migrationStatus } from './migration-status';

let server: TestPostgres;

beforeAll(async () => {
  server = await startTestPostgres();
});

afterAll(async () => {
  await server?.stop();
});

async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

describe('applyMigrations', () => {
  it('applies each migration once when three callers start together, and again applies nothing', async () => {
    await ensureDatabase(server.url, 'apply_concurrent');
    const url = withDatabase(server.url, 'apply_concurrent');
    const options = { databaseUrl: url, schemaPath: testSchemaPath, migrationsDir: testMigrationsDir, lockTimeoutMs: 30_000 };
    const { migrationDirectories } = await readMigrationsList(testMigrationsDir);
    const names = migrationDirectories.map((directory) => directory.path);

    const results = await Promise.all([applyMigrations(options), applyMigrations(options), applyMigrations(options)]);

    expect(results.flatMap((result) => result.appliedMigrationNames).sort()).toEqual(names);
    expect(results.filter((result) => result.appliedMigrationNames.length > 0)).toHaveLength(1);
    const rows = await query<{ migration_name: string; count: number }>(
      url,
      'SELECT migration_name, count(*)::int AS count FROM _prisma_migrations GROUP BY migration_name',
    );
    expect(rows).toEqual(names.map((name) => ({ migration_name: name, count: 1 })));

    const again = await applyMigrations(options);
    expect(again.appliedMigrationNames).toEqual([]);
  });

  it('records the history as `prisma migrate deploy` does, and status reports it clean', async () => {
    const { url, client } = await migratedDatabase(server.url, 'apply_history');
    await client.$disconnect();
    const columns = await query<{ column_name: string; data_type: string; is_nullable: string }>(
      url,
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => `${c.column_name} ${c.data_type}${c.is_nullable === 'NO' ? ' NOT NULL' : ''}`)).toEqual([
      'id character varying NOT NULL',
      'checksum character varying NOT NULL',
      'finished_at timestamp with time zone',
      'migration_name character varying NOT NULL',
      'logs text',
      'rolled_back_at timestamp with time zone',
      'started_at timestamp with time zone NOT NULL',
      'applied_steps_count integer NOT NULL',
    ]);
    const [first] = (await readMigrationsList(testMigrationsDir)).migrationDirectories;
    const sql = await readFile(path.join(testMigrationsDir, first!.path, 'migration.sql'));
    const [row] = await query<{ checksum: string; finished_at: Date | null; logs: string | null; applied_steps_count: number }>(
      url,
      'SELECT checksum, finished_at, logs, applied_steps_count FROM _prisma_migrations WHERE migration_name = $1',
      [first!.path],
    );
    expect(row).toEqual({
      checksum: createHash('sha256').update(sql).digest('hex'),
      finished_at: expect.any(Date),
      logs: null,
      applied_steps_count: 1,
    });

    const status = await migrationStatus({ databaseUrl: url, schemaPath: testSchemaPath, migrationsDir: testMigrationsDir });
    expect(status).toMatchObject({ history: null, failedMigrationNames: [], editedMigrationNames: [] });
  });

  it('gives up after lockTimeoutMs while another process holds the migration lock', async () => {
    await ensureDatabase(server.url, 'apply_locked');
    const url = withDatabase(server.url, 'apply_locked');
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY.toString()]);
      await expect(
        applyMigrations({ databaseUrl: url, schemaPath: testSchemaPath, migrationsDir: testMigrationsDir, lockTimeoutMs: 300 }),
      ).rejects.toThrow(/lock timeout/);
    } finally {
      await holder.end();
    }
  });
});

describe('ensureDatabase', () => {
  it('creates a database once when several callers race for it', async () => {
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => ensureDatabase(server.url, 'stitch_raced')));
    expect(outcomes.filter((outcome) => outcome === 'created')).toHaveLength(1);
    expect(await query(server.url, "SELECT 1 FROM pg_database WHERE datname = 'stitch_raced'")).toHaveLength(1);
  });
});
