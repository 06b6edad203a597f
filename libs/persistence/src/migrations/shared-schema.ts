// The outbox and inbox models have ONE checked-in source, libs/persistence/prisma/stitch.prisma. Every service's
// `generate` target writes it, unchanged, into the service's multi-file schema folder as a gitignored include
// (tools/prisma/shared-schema.ts), before `prisma generate`. Prisma 7 reads one schema path (a file or a
// folder, `schema` in prisma.config.ts) and has no import, so the models must sit inside that folder; a
// symlink would break in a Docker build context, on Windows checkouts and in editors. The drift test checks
// that the include is current, and `migrate.ts create`/`diff` refresh it before they read the schema.
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const SHARED_SCHEMA_FILE = 'stitch.prisma';

/** The source of truth, shipped with this library. */
export const SHARED_SCHEMA_SOURCE = path.join(__dirname, '..', '..', 'prisma', SHARED_SCHEMA_FILE);

export type SharedSchemaState = 'in-sync' | 'missing' | 'outdated';

/** How the include in a service's schema folder compares with the source. */
export async function sharedSchemaState(schemaDir: string): Promise<SharedSchemaState> {
  const copy = await readFile(await sharedSchemaCopyPath(schemaDir), 'utf8').catch(() => undefined);
  if (copy === undefined) return 'missing';
  return copy === (await readFile(SHARED_SCHEMA_SOURCE, 'utf8')) ? 'in-sync' : 'outdated';
}

/** Writes the source into the schema folder as its include; true when the include changed. */
export async function syncSharedSchema(schemaDir: string): Promise<boolean> {
  if ((await sharedSchemaState(schemaDir)) === 'in-sync') return false;
  await writeFile(await sharedSchemaCopyPath(schemaDir), await readFile(SHARED_SCHEMA_SOURCE, 'utf8'), 'utf8');
  return true;
}

async function sharedSchemaCopyPath(schemaDir: string): Promise<string> {
  const info = await stat(schemaDir);
  if (!info.isDirectory()) throw new Error(`${schemaDir} is a file: the outbox and inbox models need a multi-file schema folder`);
  return path.join(schemaDir, SHARED_SCHEMA_FILE);
}
