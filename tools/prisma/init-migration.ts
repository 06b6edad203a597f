// A new service's first migration, from its schema folder plus the shared outbox and inbox models, so that the
// inbox/outbox DDL is never written by hand: it always comes from libs/persistence/prisma/stitch.prisma.
//
//   node --require @swc-node/register tools/prisma/init-migration.ts --service apps/billing-service
//   node --require @swc-node/register tools/prisma/init-migration.ts --service apps/billing-service --print
//
// The service folder's prisma.config.ts names the schema and migrations folders (`schema`, `migrations.path`).
// The SQL is what `prisma migrate dev --name init` would write (`prisma migrate diff` from an empty migrations
// history to the schema), made by the wasm schema engine, which needs a PostgreSQL server for a temporary
// shadow database: SHADOW_DATABASE_URL, or else an embedded PostgreSQL started for the command.
//
// For code (e.g. an Nx generator): renderInitMigration() returns the migration.sql text; writeInitMigration()
// writes <migrations>/<yyyyMMddHHmmss>_init/migration.sql and migration_lock.toml, and refuses a folder that
// already holds migrations (applied migrations are never rewritten).
import {
  firstMigrationSql,
  MIGRATION_LOCKFILE,
  migrationLockfileContent,
  migrationTimestamp,
  readSchemaFiles,
  SHARED_SCHEMA_FILE,
  SHARED_SCHEMA_SOURCE,
} from '@stitch/persistence';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolvePrismaPaths, UsageError } from './prisma-config';
import { withShadowServer } from './shadow-server';

export interface RenderInitMigrationOptions {
  /** The service's multi-file schema folder: its generator, datasource and own models. */
  readonly schemaDir: string;
  /** A PostgreSQL server for the engine to connect to; by default SHADOW_DATABASE_URL or an embedded one. */
  readonly shadowDatabaseUrl?: string;
}

export interface WriteInitMigrationOptions extends RenderInitMigrationOptions {
  /** The service's migrations folder; created when missing, and must hold no migration yet. */
  readonly migrationsDir: string;
  /** The migration's timestamp; now by default. */
  readonly now?: Date;
}

export interface WrittenInitMigration {
  /** e.g. 20270101120000_init */
  readonly name: string;
  /** The migration.sql written. */
  readonly file: string;
  readonly sql: string;
}

/**
 * The migration.sql that creates a service's schema in an empty database: its own models and the shared outbox
 * and inbox models. The shared models are read from their source, whether or not the folder already holds the
 * generated include, so the result never depends on a stale or missing copy.
 */
export async function renderInitMigration(options: RenderInitMigrationOptions): Promise<string> {
  const schemaDir = path.resolve(options.schemaDir);
  const ownFiles = (await readSchemaFiles(schemaDir)).filter((file) => file.path !== path.join(schemaDir, SHARED_SCHEMA_FILE));
  const schemaFiles = [
    ...ownFiles,
    { path: path.join(schemaDir, SHARED_SCHEMA_FILE), content: await readFile(SHARED_SCHEMA_SOURCE, 'utf8') },
  ];
  const render = (shadowDatabaseUrl: string) => firstMigrationSql({ schemaFiles, shadowDatabaseUrl });
  return options.shadowDatabaseUrl ? render(options.shadowDatabaseUrl) : withShadowServer(render);
}

/** Writes the service's first migration, as `prisma migrate dev --name init` would lay it out. */
export async function writeInitMigration(options: WriteInitMigrationOptions): Promise<WrittenInitMigration> {
  const migrationsDir = path.resolve(options.migrationsDir);
  const existing = (await readdir(migrationsDir, { withFileTypes: true }).catch(() => [])).filter((entry) => entry.isDirectory());
  if (existing.length > 0) {
    throw new Error(
      `${migrationsDir} already holds migrations (${existing.map((entry) => entry.name).join(', ')}): an init migration is only for a new service`,
    );
  }
  const sql = await renderInitMigration(options);
  const name = `${migrationTimestamp(options.now)}_init`;
  const file = path.join(migrationsDir, name, 'migration.sql');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, sql, 'utf8');
  await writeFile(path.join(migrationsDir, MIGRATION_LOCKFILE), migrationLockfileContent('postgresql'), 'utf8');
  return { name, file, sql };
}

const USAGE = `usage: init-migration.ts --service <folder with prisma.config.ts> [--print]
       init-migration.ts --schema <schema folder> --migrations <migrations folder> [--print]
  writes <migrations>/<timestamp>_init/migration.sql for a service that has no migration yet; --print only prints it`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      service: { type: 'string' },
      schema: { type: 'string' },
      migrations: { type: 'string' },
      print: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  if (!values.service && !values.schema) throw new UsageError('pass --service, or --schema and --migrations');
  const config = values.service ? path.join(values.service, 'prisma.config.ts') : undefined;
  const { schemaPath, migrationsDir } = resolvePrismaPaths({ config, schema: values.schema, migrations: values.migrations });
  if (values.print) {
    process.stdout.write(await renderInitMigration({ schemaDir: schemaPath }));
    return 0;
  }
  const written = await writeInitMigration({ schemaDir: schemaPath, migrationsDir });
  console.error(`created ${path.relative(process.cwd(), written.file)}`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof UsageError ? `${error.message}\n${USAGE}` : error instanceof Error ? error.message : error);
      process.exitCode = error instanceof UsageError ? 64 : 1;
    },
  );
}
