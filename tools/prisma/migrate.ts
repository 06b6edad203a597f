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
import {
  applyMigrations,
  createMigration,
  diffSchemaAgainstMigrations,
  ensureDatabase,
  migrationStatus,
  serviceDatabaseName,
  sharedSchemaState,
  SHARED_SCHEMA_FILE,
  startEmbeddedPostgres,
  syncSharedSchema,
  withDatabase,
} from '@stitch/persistence';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = `usage: migrate.ts <command> [--config <prisma.config.ts>] [--schema <folder>] [--migrations <folder>]
  create <name>  refresh the schema folder's ${SHARED_SCHEMA_FILE}, then write a migration for what changed
  diff           print the SQL and exit 2 when the schema and the migrations differ (1 when ${SHARED_SCHEMA_FILE} is stale)
  deploy         apply pending migrations to --database-url <url>, or to the --service <name> database on DATABASE_URL
  status         the migration history of that database`;

const COMMANDS = new Set(['create', 'diff', 'deploy', 'status']);
const EXIT_USAGE = 64;
const EXIT_DRIFT = 2;

interface Paths {
  readonly schemaPath: string;
  readonly migrationsDir: string;
}

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
  const paths = resolvePaths(values);
  switch (command) {
    case 'create': {
      if (!name) throw new UsageError('create needs a migration name');
      if (await isFolder(paths.schemaPath)) {
        if (await syncSharedSchema(paths.schemaPath)) console.error(`refreshed ${path.relative(process.cwd(), path.join(paths.schemaPath, SHARED_SCHEMA_FILE))}`);
      }
      const created = await withShadowServer((shadowDatabaseUrl) => createMigration({ name, ...paths, shadowDatabaseUrl }));
      console.error(created ? `created ${path.relative(process.cwd(), created.file)}` : 'no changes: the schema matches the migrations');
      return 0;
    }
    case 'diff': {
      const sql = await withShadowServer((shadowDatabaseUrl) => diffSchemaAgainstMigrations({ ...paths, shadowDatabaseUrl }));
      if (sql) {
        console.log(sql);
        return EXIT_DRIFT;
      }
      if ((await isFolder(paths.schemaPath)) && (await sharedSchemaState(paths.schemaPath)) !== 'in-sync') {
        console.error(`${SHARED_SCHEMA_FILE} in ${paths.schemaPath} differs from libs/persistence/prisma/${SHARED_SCHEMA_FILE}: run create`);
        return 1;
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
      console.log(JSON.stringify(await migrationStatus({ databaseUrl: await targetDatabase(values, { create: false }), ...paths }), null, 2));
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

class UsageError extends Error {}

function resolvePaths(values: { config?: string; schema?: string; migrations?: string }): Paths {
  const configFile = path.resolve(values.config ?? 'prisma.config.ts');
  const config = existsSync(configFile) ? loadPrismaConfig(configFile) : {};
  const fromConfig = (relative: string | undefined) => (relative === undefined ? undefined : path.resolve(path.dirname(configFile), relative));
  const schemaPath = values.schema ? path.resolve(values.schema) : fromConfig(config.schema);
  const migrationsDir = values.migrations ? path.resolve(values.migrations) : fromConfig(config.migrations?.path);
  if (!schemaPath || !migrationsDir) throw new UsageError(`no schema or migrations folder: pass --config, or --schema and --migrations`);
  return { schemaPath, migrationsDir };
}

/** prisma.config.ts's default export is a plain object (defineConfig returns its argument, checked). */
function loadPrismaConfig(file: string): { schema?: string; migrations?: { path?: string } } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the config is TypeScript, loaded through @swc-node/register
  const loaded = require(file) as { default?: { schema?: string; migrations?: { path?: string } } };
  return loaded.default ?? {};
}

/** A service deploys to `stitch_<name>` on the DATABASE_URL server (creating it, as the service itself would). */
async function targetDatabase(values: { service?: string; 'database-url'?: string }, { create }: { create: boolean }): Promise<string> {
  if (values['database-url']) return values['database-url'];
  const serverUrl = process.env['DATABASE_URL'];
  if (!values.service || !serverUrl) throw new UsageError('pass --database-url <url>, or --service <name> with DATABASE_URL set to the server');
  const name = serviceDatabaseName(values.service);
  if (create) await ensureDatabase(serverUrl, name);
  return withDatabase(serverUrl, name);
}

async function withShadowServer<T>(work: (serverUrl: string) => Promise<T>): Promise<T> {
  const configured = process.env['SHADOW_DATABASE_URL'];
  if (configured) return work(configured);
  const directory = await mkdtemp(path.join(os.tmpdir(), 'stitch-shadow-'));
  // mkdtemp makes a 0700 folder; as root, PostgreSQL runs as the OS user `postgres` and must enter it.
  await chmod(directory, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(directory, 'pg'), throwAway: true });
  try {
    return await work(server.url);
  } finally {
    await server.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

async function isFolder(file: string): Promise<boolean> {
  return (await stat(file)).isDirectory();
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
