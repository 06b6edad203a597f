import type { MigrationList, SchemaContainer, SchemaEngine } from '@prisma/schema-engine-wasm';
import { readMigrationsList, readSchemaFiles } from './migration-files';
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
export async function migrationsToSchemaSql(engine: SchemaEngine, migrationsList: MigrationList, schemaFiles: SchemaContainer[]): Promise<string> {
  const result = await engine.diff({
    from: { tag: 'migrations', ...migrationsList },
    to: { tag: 'schemaDatamodel', files: schemaFiles },
    script: true,
    exitCode: true,
    filters: NO_FILTERS,
  });
  return result.exitCode === 0 ? '' : (result.stdout ?? '').trim();
}
