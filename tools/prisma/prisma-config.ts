// A service's schema and migrations folders, as its prisma.config.ts names them, so the tools here and the
// Prisma CLI always read the same folders.
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface PrismaPaths {
  readonly schemaPath: string;
  readonly migrationsDir: string;
}

export class UsageError extends Error {}

/**
 * The schema and migrations folders from `config` (`schema` and `migrations.path`, relative to the config file),
 * each replaced by `schema` / `migrations` when given.
 */
export function resolvePrismaPaths(values: { config?: string; schema?: string; migrations?: string }): PrismaPaths {
  const { schemaPath, migrationsDir } = configuredPaths(values);
  if (!schemaPath || !migrationsDir) throw new UsageError(`no schema or migrations folder: pass --config, or --schema and --migrations`);
  return { schemaPath, migrationsDir };
}

/** The schema folder alone, for commands that never read the migrations. */
export function resolveSchemaPath(values: { config?: string; schema?: string }): string {
  const { schemaPath } = configuredPaths(values);
  if (!schemaPath) throw new UsageError(`no schema folder: pass --config or --schema`);
  return schemaPath;
}

function configuredPaths(values: { config?: string; schema?: string; migrations?: string }): Partial<PrismaPaths> {
  const configFile = path.resolve(values.config ?? 'prisma.config.ts');
  const config = existsSync(configFile) ? loadPrismaConfig(configFile) : {};
  const fromConfig = (relative: string | undefined) =>
    relative === undefined ? undefined : path.resolve(path.dirname(configFile), relative);
  return {
    schemaPath: values.schema ? path.resolve(values.schema) : fromConfig(config.schema),
    migrationsDir: values.migrations ? path.resolve(values.migrations) : fromConfig(config.migrations?.path),
  };
}

/** prisma.config.ts's default export is a plain object (defineConfig returns its argument, checked). */
function loadPrismaConfig(file: string): { schema?: string; migrations?: { path?: string } } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the config is TypeScript, loaded through @swc-node/register
  const loaded = require(file) as { default?: { schema?: string; migrations?: { path?: string } } };
  return loaded.default ?? {};
}
