import type { MigrationList, SchemaContainer, SchemaEngine } from '@prisma/schema-engine-wasm';
import { MIGRATION_LOCKFILE, migrationLockfileContent, readMigrationsList, readSchemaFiles } from './migration-files';
import { PgMigrationAdapterFactory } from './pg-migration-adapter';
import { NO_FILTERS, withSchemaEngine, type EngineLog } from './schema-engine';

export interface DiffSchemaOptions {
  readonly schemaPath: string;
  readonly migrationsDir: string;
  /**
   * Any database on a server where the role may CREATE DATABASE. The migrations are replayed into a NEW
   * temporary database there, dropped afterwards; the database the URL names is not touched, so parallel
   * checks do not collide.
   */
  readonly shadowDatabaseUrl: string;
  readonly log?: EngineLog;
}

/**
 * The drift check, `prisma migrate diff --from-migrations <dir> --to-schema <schema> --script`: the SQL that
 * would bring "every migration applied" to "the schema", or '' when they are in sync.
 */
export async function diffSchemaAgainstMigrations(options: DiffSchemaOptions): Promise<string> {
  const [schemaFiles, migrationsList] = await Promise.all([readSchemaFiles(options.schemaPath), readMigrationsList(options.migrationsDir)]);
  const factory = new PgMigrationAdapterFactory({ databaseUrl: options.shadowDatabaseUrl, shadowServerUrl: options.shadowDatabaseUrl });
  return withSchemaEngine(schemaFiles, factory, options.log, (engine) => migrationsToSchemaSql(engine, migrationsList, schemaFiles));
}

/** '' when in sync; the engine reports a difference with exit code 2. */
export async function migrationsToSchemaSql(
  engine: SchemaEngine,
  migrationsList: MigrationList,
  schemaFiles: SchemaContainer[],
): Promise<string> {
  const result = await engine.diff({
    from: { tag: 'migrations', ...migrationsList },
    to: { tag: 'schemaDatamodel', files: schemaFiles },
    script: true,
    exitCode: true,
    filters: NO_FILTERS,
  });
  return result.exitCode === 0 ? '' : (result.stdout ?? '').trim();
}

export interface FirstMigrationSqlOptions {
  /** The schema's files, as readSchemaFiles returns them. */
  readonly schemaFiles: SchemaContainer[];
  /** See DiffSchemaOptions.shadowDatabaseUrl: the empty history is "replayed" into a temporary database there. */
  readonly shadowDatabaseUrl: string;
  readonly log?: EngineLog;
}

/**
 * The migration.sql of a schema's first migration, as `prisma migrate dev --name init` writes it:
 * `prisma migrate diff --from-migrations <an empty folder> --to-schema <schema> --script`, or '' for a schema
 * without models. Not `--from-empty`: that also emits `CREATE SCHEMA IF NOT EXISTS "public"`, which a database
 * already has and which no migration of this repository holds.
 */
export async function firstMigrationSql(options: FirstMigrationSqlOptions): Promise<string> {
  const noMigrations: MigrationList = {
    baseDir: process.cwd(),
    lockfile: { path: MIGRATION_LOCKFILE, content: migrationLockfileContent('postgresql') },
    migrationDirectories: [],
    shadowDbInitScript: '',
  };
  const factory = new PgMigrationAdapterFactory({ databaseUrl: options.shadowDatabaseUrl, shadowServerUrl: options.shadowDatabaseUrl });
  const sql = await withSchemaEngine(options.schemaFiles, factory, options.log, (engine) =>
    migrationsToSchemaSql(engine, noMigrations, options.schemaFiles),
  );
  return sql ? `${sql}\n` : '';
}
