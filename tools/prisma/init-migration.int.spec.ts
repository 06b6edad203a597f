import { diffSchemaAgainstMigrations, readSchemaFiles, syncSharedSchema } from '@stitch/persistence';
import { startTestPostgres, type TestPostgres } from '@stitch/persistence/testing';
import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { renderInitMigration, writeInitMigration } from './init-migration';

const root = path.join(__dirname, '..', '..');

/** Every folder holding a service's `schema/` and `migrations/`: the data-owning apps and the persistence tests' stand-in. */
const prismaDirs = [
  ...readdirSync(path.join(root, 'apps'))
    .map((app) => path.join(root, 'apps', app, 'prisma'))
    .filter((dir) => existsSync(path.join(dir, 'schema'))),
  path.join(root, 'libs', 'persistence', 'test', 'prisma'),
];

/** The statements of a script, without comments and with whitespace collapsed, in order. */
function statements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(';')
    .map((statement) => statement.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

function sharedPart(sql: string): string[] {
  return statements(sql).filter((statement) => /"stitch_(outbox|inbox)"/.test(statement));
}

async function initMigration(prismaDir: string): Promise<{ sql: string; only: boolean }> {
  const migrations = (await readdir(path.join(prismaDir, 'migrations'), { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const init = migrations.find((name) => name.endsWith('_init'));
  if (!init) throw new Error(`${prismaDir} has no init migration`);
  return { sql: await readFile(path.join(prismaDir, 'migrations', init, 'migration.sql'), 'utf8'), only: migrations.length === 1 };
}

let server: TestPostgres;
let scratch: string;

beforeAll(async () => {
  server = await startTestPostgres();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'stitch-init-migration-'));
});

afterAll(async () => {
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** A service's schema folder without the generated include, plus `extra` appended to its schema.prisma. */
async function scratchSchema(name: string, extra = ''): Promise<string> {
  const schemaDir = path.join(scratch, name, 'schema');
  await cp(path.join(root, 'apps', 'order-service', 'prisma', 'schema', 'schema.prisma'), path.join(schemaDir, 'schema.prisma'));
  if (extra)
    await writeFile(path.join(schemaDir, 'schema.prisma'), `${await readFile(path.join(schemaDir, 'schema.prisma'), 'utf8')}\n${extra}`);
  return schemaDir;
}

describe('renderInitMigration', () => {
  it('finds the services to compare with', () => {
    expect(prismaDirs.length).toBeGreaterThanOrEqual(7);
  });

  it.each(prismaDirs.map((dir) => [path.relative(root, dir), dir]))(
    'renders the outbox and inbox DDL of %s init migration',
    async (_name, prismaDir) => {
      const rendered = await renderInitMigration({ schemaDir: path.join(prismaDir, 'schema'), shadowDatabaseUrl: server.url });
      const existing = await initMigration(prismaDir);

      expect(sharedPart(rendered)).toHaveLength(3);
      expect(sharedPart(rendered)).toEqual(sharedPart(existing.sql));
      // While the init migration is the only one, the schema is still what it was made from: every statement
      // rendered is in it (it may hold hand-written statements Prisma's schema cannot state).
      if (existing.only) expect(statements(existing.sql)).toEqual(expect.arrayContaining(statements(rendered)));
    },
  );

  it("takes the shared models from their source, not from the schema folder's include", async () => {
    const schemaDir = await scratchSchema('no-include');
    await writeFile(path.join(schemaDir, 'stitch.prisma'), '// a stale include\n');

    const rendered = await renderInitMigration({ schemaDir, shadowDatabaseUrl: server.url });

    expect(sharedPart(rendered)).toEqual(sharedPart((await initMigration(path.join(root, 'apps', 'order-service', 'prisma'))).sql));
  });

  it("adds a new model's table to the service's own tables and the shared ones", async () => {
    const schemaDir = await scratchSchema(
      'extra-model',
      'model Refund {\n  id        String @id @db.Uuid\n  amountCents Int  @map("amount_cents")\n\n  @@map("refund")\n}\n',
    );

    const rendered = await renderInitMigration({ schemaDir, shadowDatabaseUrl: server.url });

    expect(statements(rendered)).toContain(
      'CREATE TABLE "refund" ( "id" UUID NOT NULL, "amount_cents" INTEGER NOT NULL, CONSTRAINT "refund_pkey" PRIMARY KEY ("id") )',
    );
    expect(statements(rendered)).toContainEqual(expect.stringContaining('CREATE TABLE "order"'));
    expect(sharedPart(rendered)).toEqual(sharedPart((await initMigration(path.join(root, 'apps', 'order-service', 'prisma'))).sql));
  });
});

describe('writeInitMigration', () => {
  it('writes a first migration that builds exactly the schema, and never a second one', async () => {
    const schemaDir = await scratchSchema('new-service', 'model Invoice {\n  id String @id @db.Uuid\n\n  @@map("invoice")\n}\n');
    const migrationsDir = path.join(scratch, 'new-service', 'migrations');

    const written = await writeInitMigration({
      schemaDir,
      migrationsDir,
      shadowDatabaseUrl: server.url,
      now: new Date('2027-01-02T03:04:05Z'),
    });

    expect(written.name).toBe('20270102030405_init');
    expect(await readFile(path.join(migrationsDir, '20270102030405_init', 'migration.sql'), 'utf8')).toBe(written.sql);
    expect(await readFile(path.join(migrationsDir, 'migration_lock.toml'), 'utf8')).toMatch(/provider = "postgresql"/);
    // With the include the generate target writes, the schema folder is in sync with the new migration.
    await syncSharedSchema(schemaDir);
    expect((await readSchemaFiles(schemaDir)).map((file) => path.basename(file.path))).toEqual(['schema.prisma', 'stitch.prisma']);
    expect(await diffSchemaAgainstMigrations({ schemaPath: schemaDir, migrationsDir, shadowDatabaseUrl: server.url })).toBe('');

    await expect(writeInitMigration({ schemaDir, migrationsDir, shadowDatabaseUrl: server.url })).rejects.toThrow(
      /already holds migrations/,
    );
  });
});
