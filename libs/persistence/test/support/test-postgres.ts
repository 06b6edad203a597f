import { PrismaPg } from '@prisma/adapter-pg';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Database } from '../../src/database/database';
import { applyMigrations } from '../../src/migrations/apply-migrations';
import { withDatabase } from '../../src/postgres/database-url';
import { startEmbeddedPostgres } from '../../src/postgres/embedded-postgres';
import { ensureDatabase } from '../../src/postgres/ensure-database';
import { PrismaClient } from '../generated/prisma/client';

export const testSchemaPath = path.join(__dirname, '..', 'prisma', 'schema');
export const testMigrationsDir = path.join(__dirname, '..', 'prisma', 'migrations');

export interface TestPostgres {
  /** The server URL (database `postgres`). */
  readonly url: string;
  stop(): Promise<void>;
}

/** A PostgreSQL server of the test file's own, on a free port, with its data in a temporary folder. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'stitch-persistence-'));
  // mkdtemp makes a 0700 folder; as root, PostgreSQL runs as the OS user `postgres` and must enter it.
  await chmod(directory, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(directory, 'pg') });
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export interface TestDatabase {
  readonly url: string;
  readonly client: PrismaClient;
  readonly database: Database<PrismaClient>;
}

/** A new database with the test schema's migrations applied, and the generated client on it. */
export async function migratedDatabase(serverUrl: string, name: string): Promise<TestDatabase> {
  await ensureDatabase(serverUrl, name);
  const url = withDatabase(serverUrl, name);
  await applyMigrations({ databaseUrl: url, schemaPath: testSchemaPath, migrationsDir: testMigrationsDir });
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  return { url, client, database: new Database(client) };
}

export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
