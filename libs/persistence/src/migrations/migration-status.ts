import type { DiagnoseMigrationHistoryOutput } from '@prisma/schema-engine-wasm';
import { readMigrationsList, readSchemaFiles } from './migration-files';
import type { PostgresConnectionSettings } from '../postgres/connection-options';
import { PgMigrationAdapterFactory } from './pg-migration-adapter';
import { NO_FILTERS, withSchemaEngine, type EngineLog } from './schema-engine';

export interface MigrationStatusOptions {
  readonly databaseUrl: string;
  /** The password and TLS beside the URL (see postgresConnection). */
  readonly connection?: PostgresConnectionSettings;
  readonly schemaPath: string;
  readonly migrationsDir: string;
  readonly log?: EngineLog;
}

/**
 * `prisma migrate status`: `history` is null when the database has exactly the folder's migrations; failed and
 * edited (checksum changed) migrations are listed.
 */
export async function migrationStatus(options: MigrationStatusOptions): Promise<DiagnoseMigrationHistoryOutput> {
  const [schemaFiles, migrationsList] = await Promise.all([readSchemaFiles(options.schemaPath), readMigrationsList(options.migrationsDir)]);
  const factory = new PgMigrationAdapterFactory({ databaseUrl: options.databaseUrl, connection: options.connection });
  return withSchemaEngine(schemaFiles, factory, options.log, (engine) =>
    engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: NO_FILTERS }),
  );
}
