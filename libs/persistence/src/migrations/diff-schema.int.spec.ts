import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startTestPostgres, testMigrationsDir, testSchemaPath, type TestPostgres } from '../../test/support/test-postgres';
import { createMigration } from './create-migration';
import { diffSchemaAgainstMigrations } from './diff-schema';

let server: TestPostgres;
let scratch: string;

beforeAll(async () => {
  server = await startTestPostgres();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'stitch-drift-'));
});

afterAll(async () => {
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** A copy of the test schema and migrations that a test may change. */
async function copyOfTestSchema(name: string): Promise<{ schemaPath: string; migrationsDir: string }> {
  const schemaPath = path.join(scratch, name, 'schema');
  const migrationsDir = path.join(scratch, name, 'migrations');
  await cp(testSchemaPath, schemaPath, { recursive: true });
  await cp(testMigrationsDir, migrationsDir, { recursive: true });
  return { schemaPath, migrationsDir };
}

async function addNoteColumn(schemaPath: string): Promise<void> {
  const file = path.join(schemaPath, 'schema.prisma');
  const schema = await readFile(file, 'utf8');
  await writeFile(file, schema.replace('  text      String\n', '  text      String\n  color     String?\n'), 'utf8');
}

describe('drift check', () => {
  it('finds the test schema in sync with its migrations', async () => {
    const sql = await diffSchemaAgainstMigrations({
      schemaPath: testSchemaPath,
      migrationsDir: testMigrationsDir,
      shadowDatabaseUrl: server.url,
    });
    expect(sql).toBe('');
  });

  it('returns the SQL a changed schema needs, and nothing once a migration for it exists', async () => {
    const copy = await copyOfTestSchema('changed');
    await addNoteColumn(copy.schemaPath);

    const sql = await diffSchemaAgainstMigrations({ ...copy, shadowDatabaseUrl: server.url });
    expect(sql).toMatch(/ALTER TABLE "note" ADD COLUMN\s+"color" TEXT;/);

    const created = await createMigration({ name: 'Add note color', ...copy, shadowDatabaseUrl: server.url });
    expect(created?.name).toMatch(/^\d{14}_add_note_color$/);
    expect(created?.script).toMatch(/ALTER TABLE "note" ADD COLUMN\s+"color" TEXT;/);
    expect(await diffSchemaAgainstMigrations({ ...copy, shadowDatabaseUrl: server.url })).toBe('');
    expect(await createMigration({ name: 'nothing', ...copy, shadowDatabaseUrl: server.url })).toBeNull();
  });

  it('writes the first migration of an empty folder, with its lockfile', async () => {
    const copy = await copyOfTestSchema('first');
    await rm(copy.migrationsDir, { recursive: true });

    const created = await createMigration({ name: 'init', ...copy, shadowDatabaseUrl: server.url });

    expect(created?.script).toMatch(/CREATE TABLE "stitch_outbox"/);
    expect(await readFile(path.join(copy.migrationsDir, 'migration_lock.toml'), 'utf8')).toMatch(/provider = "postgresql"/);
    expect(await diffSchemaAgainstMigrations({ ...copy, shadowDatabaseUrl: server.url })).toBe('');
  });

  it('leaves no shadow or temporary databases behind', async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'prisma\\_%'");
      expect(rows).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
