import path from 'node:path';
import { diffSchemaAgainstMigrations, sharedSchemaState } from '@stitch/persistence';
import { startTestPostgres, type TestPostgres } from '@stitch/persistence/testing';

const schemaPath = path.join(__dirname, '../prisma/schema');
const migrationsDir = path.join(__dirname, '../prisma/migrations');
let server: TestPostgres;

beforeAll(async () => {
  server = await startTestPostgres();
});

afterAll(async () => {
  await server?.stop();
});

describe('the payment schema', () => {
  it('is what its migrations build', async () => {
    expect(await diffSchemaAgainstMigrations({ schemaPath, migrationsDir, shadowDatabaseUrl: server.url })).toBe('');
  });

  it('holds an up-to-date copy of the shared outbox and inbox models', async () => {
    expect(await sharedSchemaState(schemaPath)).toBe('in-sync');
  });
});
