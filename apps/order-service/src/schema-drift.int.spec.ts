import { diffSchemaAgainstMigrations, sharedSchemaState } from '@stitch/persistence';
import { startTestPostgres, type TestPostgres } from '@stitch/persistence/testing';
import path from 'node:path';

const schemaPath = path.join(__dirname, '../prisma/schema');
const migrationsDir = path.join(__dirname, '../prisma/migrations');

let server: TestPostgres;

beforeAll(async () => {
  server = await startTestPostgres();
});

afterAll(async () => {
  await server?.stop();
});

describe('the order schema', () => {
  it('is what its migrations build: a schema change without a migration fails here', async () => {
    expect(await diffSchemaAgainstMigrations({ schemaPath, migrationsDir, shadowDatabaseUrl: server.url })).toBe('');
  });

  it('holds an unchanged copy of the shared outbox and inbox models', async () => {
    expect(await sharedSchemaState(schemaPath)).toBe('in-sync');
  });
});
