import path from 'node:path';
import { diffSchemaAgainstMigrations } from '../migrations/diff-schema';
import { sharedSchemaState } from '../migrations/shared-schema';
import { startTestPostgres, type TestPostgres } from './test-postgres';

/**
 * Every service's drift test: its migrations, replayed into a fresh database, build exactly its schema, and the
 * include of the shared outbox and inbox models that its `generate` target writes is current with the source.
 * `prismaDir` holds `schema/` and `migrations/`.
 */
export function describeSchemaDrift(service: string, prismaDir: string): void {
  const schemaPath = path.join(prismaDir, 'schema');
  const migrationsDir = path.join(prismaDir, 'migrations');
  let server: TestPostgres;

  describe(`the ${service} schema`, () => {
    beforeAll(async () => {
      server = await startTestPostgres();
    });

    afterAll(async () => {
      await server?.stop();
    });

    it('is what its migrations build: a schema change without its migration fails here', async () => {
      expect(await diffSchemaAgainstMigrations({ schemaPath, migrationsDir, shadowDatabaseUrl: server.url })).toBe('');
    });

    it('holds a current include of the shared outbox and inbox models (written by its generate target)', async () => {
      expect(await sharedSchemaState(schemaPath)).toBe('in-sync');
    });
  });
}
