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

describe('email service migrations', () => {
  it('match the schema: a schema change without its migration fails here', async () => {
    expect(await diffSchemaAgainstMigrations({ schemaPath, migrationsDir, shadowDatabaseUrl: server.url })).toBe('');
  });

  it('keep the shared outbox and inbox models as the persistence library defines them', async () => {
    expect(await sharedSchemaState(schemaPath)).toBe('in-sync');
  });
});
