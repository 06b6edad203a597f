import { PrismaPg } from '@prisma/adapter-pg';
import path from 'node:path';
import { Database } from '../../src/database/database';
import { applyMigrations } from '../../src/migrations/apply-migrations';
import { withDatabase } from '../../src/postgres/database-url';
import { ensureDatabase } from '../../src/postgres/ensure-database';
import { PrismaClient } from '../generated/prisma/client';

export { startTestPostgres, type TestPostgres } from '../../src/testing';

export const testSchemaPath = path.join(__dirname, '..', 'prisma', 'schema');
export const testMigrationsDir = path.join(__dirname, '..', 'prisma', 'migrations');

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
