import type { CreateMigrationOutput } from '@prisma/schema-engine-wasm';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { migrationsToSchemaSql } from './diff-schema';
import { migrationLockfileContent, migrationSlug, migrationTimestamp, readMigrationsList, readSchemaFiles } from './migration-files';
import { PgMigrationAdapterFactory } from './pg-migration-adapter';
import { NO_FILTERS, withSchemaEngine, type EngineLog } from './schema-engine';

export interface CreateMigrationOptions {
  /** e.g. "add_product_color"; slugified, and prefixed with a UTC timestamp. */
  readonly name: string;
  readonly schemaPath: string;
  readonly migrationsDir: string;
  /** See DiffSchemaOptions.shadowDatabaseUrl. */
  readonly shadowDatabaseUrl: string;
  /** Write an empty migration even when there is nothing to change (for hand-written SQL). */
  readonly draft?: boolean;
  readonly log?: EngineLog;
}

export interface CreatedMigration {
  readonly name: string;
  readonly file: string;
  readonly script: string;
}

/**
 * `prisma migrate dev --create-only --name <name>` without a development database: writes
 * <migrationsDir>/<timestamp>_<name>/migration.sql (and migration_lock.toml), or returns null when the schema
 * and the migrations are already in sync.
 *
 * The engine's createMigration only works through devDiagnostic on the same instance ("PostgreSQL shadow DB
 * must be provided through an external factory" otherwise), and even then only while the migrations folder is
 * empty (schema-engine-wasm 7.10.0-4 and 8.1.0-2 alike). So the first migration takes the engine's own
 * `migrate dev` path on a fresh temporary "dev" database, and later ones are the diff from the migrations
 * (replayed on a shadow database) to the schema: the SQL `prisma migrate diff --script` prints, which is what
 * createMigration writes too.
 */
export async function createMigration(options: CreateMigrationOptions): Promise<CreatedMigration | null> {
  const [schemaFiles, migrationsList] = await Promise.all([readSchemaFiles(options.schemaPath), readMigrationsList(options.migrationsDir)]);
  const slug = migrationSlug(options.name);
  if (!slug) throw new Error(`invalid migration name: ${JSON.stringify(options.name)}`);
  const server = new PgMigrationAdapterFactory({ databaseUrl: options.shadowDatabaseUrl, shadowServerUrl: options.shadowDatabaseUrl });
  const firstMigration = migrationsList.migrationDirectories.length === 0;
  const devDatabase = firstMigration ? await server.createTemporaryDatabase() : undefined;
  const factory = devDatabase
    ? new PgMigrationAdapterFactory({ databaseUrl: devDatabase.url, shadowServerUrl: options.shadowDatabaseUrl })
    : server;
  let output: CreateMigrationOutput;
  try {
    output = await withSchemaEngine(schemaFiles, factory, options.log, async (engine) => {
      if (firstMigration) {
        const diagnostic = await engine.devDiagnostic({ migrationsList, filters: NO_FILTERS });
        if (diagnostic.action.tag === 'reset') throw new Error(`the engine asks for a reset: ${diagnostic.action.reason}`);
        return engine.createMigration({
          draft: options.draft ?? false,
          migrationName: slug,
          migrationsList,
          schema: { files: schemaFiles },
          filters: NO_FILTERS,
        });
      }
      const sql = await migrationsToSchemaSql(engine, migrationsList, schemaFiles);
      return {
        connectorType: 'postgresql',
        generatedMigrationName: `${migrationTimestamp()}_${slug}`,
        migrationScript: sql ? `${sql}\n` : options.draft ? '-- This is an empty migration.' : null,
        extension: 'sql',
      };
    });
  } finally {
    await devDatabase?.drop();
    await server.close();
  }
  if (output.migrationScript === null) return null;
  const directory = path.join(migrationsList.baseDir, output.generatedMigrationName);
  const file = path.join(directory, `migration.${output.extension}`);
  await mkdir(directory, { recursive: true });
  await writeFile(file, output.migrationScript, 'utf8');
  const lockfile = migrationLockfileContent(output.connectorType);
  if (migrationsList.lockfile.content !== lockfile)
    await writeFile(path.join(migrationsList.baseDir, migrationsList.lockfile.path), lockfile, 'utf8');
  return { name: output.generatedMigrationName, file, script: output.migrationScript };
}
