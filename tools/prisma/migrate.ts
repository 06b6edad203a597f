// Prisma Migrate for Stitch services, on Prisma's wasm schema engine (see libs/persistence/README.md):
//
//   node --require @swc-node/register tools/prisma/migrate.ts create <name> --config apps/order-service/prisma.config.ts
//   node --require @swc-node/register tools/prisma/migrate.ts diff   --config apps/order-service/prisma.config.ts
//   node --require @swc-node/register tools/prisma/migrate.ts deploy --config ... --service order-service   (DATABASE_URL = the server)
//   node --require @swc-node/register tools/prisma/migrate.ts status --config ... --service order-service
//
// The schema folder and migrations folder come from the service's prisma.config.ts (`schema`,
// `migrations.path`, relative to it), or from --schema / --migrations. `create` and `diff` need a server for
// throw-away shadow databases: SHADOW_DATABASE_URL, or else an embedded PostgreSQL started for the command.
// Both first refresh the schema folder's generated include of the shared outbox and inbox models, so they never
// read a missing or stale one.
import {
  applyMigrations,
  createMigration,
  diffSchemaAgainstMigrations,
  ensureDatabase,
  migrationStatus,
  serviceDatabaseName,
  SHARED_SCHEMA_FILE,
  syncSharedSchema,
  withDatabase,
} from '@stitch/persistence';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolvePrismaPaths, UsageError, type PrismaPaths } from './prisma-config';
import { withShadowServer } from './shadow-server';

const USAGE = `usage: migrate.ts <command> [--config <prisma.config.ts>] [--schema <folder>] [--migrations <folder>]
  create <name>  refresh the schema folder's ${SHARED_SCHEMA_FILE}, then write a migration for what changed
  diff           refresh ${SHARED_SCHEMA_FILE}, then print the SQL and exit 2 when the schema and the migrations differ
  deploy         apply pending migrations to --database-url <url>, or to the --service <name> database on DATABASE_URL
  status         the migration history of that database`;

const COMMANDS = new Set(['create', 'diff', 'deploy', 'status']);
const EXIT_USAGE = 64;
const EXIT_DRIFT = 2;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      schema: { type: 'string' },
      migrations: { type: 'string' },
      service: { type: 'string' },
      'database-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, name] = positionals;
  if (values.help || !command) {
    console.error(USAGE);
    return values.help ? 0 : EXIT_USAGE;
  }
  if (!COMMANDS.has(command)) throw new UsageError(`unknown command "${command}"`);
  const paths = resolvePrismaPaths(values);
  switch (command) {
    case 'create': {
      if (!name) throw new UsageError('create needs a migration name');
      await refreshSharedSchema(paths);
      const created = await withShadowServer((shadowDatabaseUrl) => createMigration({ name, ...paths, shadowDatabaseUrl }));
      console.error(created ? `created ${path.relative(process.cwd(), created.file)}` : 'no changes: the schema matches the migrations');
      return 0;
    }
    case 'diff': {
      await refreshSharedSchema(paths);
      const sql = await withShadowServer((shadowDatabaseUrl) => diffSchemaAgainstMigrations({ ...paths, shadowDatabaseUrl }));
      if (sql) {
        console.log(sql);
        return EXIT_DRIFT;
      }
      console.error('in sync');
      return 0;
    }
    case 'deploy': {
      const result = await applyMigrations({ databaseUrl: await targetDatabase(values, { create: true }), ...paths });
      console.log(JSON.stringify(result));
      return 0;
    }
    case 'status': {
      console.log(
        JSON.stringify(await migrationStatus({ databaseUrl: await targetDatabase(values, { create: false }), ...paths }), null, 2),
      );
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function refreshSharedSchema(paths: PrismaPaths): Promise<void> {
  if (!(await stat(paths.schemaPath)).isDirectory()) return;
  if (await syncSharedSchema(paths.schemaPath))
    console.error(`refreshed ${path.relative(process.cwd(), path.join(paths.schemaPath, SHARED_SCHEMA_FILE))}`);
}

/** A service deploys to `stitch_<name>` on the DATABASE_URL server (creating it, as the service itself would). */
async function targetDatabase(values: { service?: string; 'database-url'?: string }, { create }: { create: boolean }): Promise<string> {
  if (values['database-url']) return values['database-url'];
  const serverUrl = process.env['DATABASE_URL'];
  if (!values.service || !serverUrl)
    throw new UsageError('pass --database-url <url>, or --service <name> with DATABASE_URL set to the server');
  const name = serviceDatabaseName(values.service);
  if (create) await ensureDatabase(serverUrl, name);
  return withDatabase(serverUrl, name);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof UsageError ? `${error.message}\n${USAGE}` : error);
    process.exitCode = error instanceof UsageError ? EXIT_USAGE : 1;
  },
);
