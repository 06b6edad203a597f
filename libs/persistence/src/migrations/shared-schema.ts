// The outbox and inbox models have ONE source, libs/persistence/prisma/stitch.prisma, and every service keeps
// a byte-identical copy of it in its multi-file schema folder. A Prisma schema cannot include a file from
// elsewhere (no import; a schema folder is read recursively and nothing else), and a symlink would break in
// a Docker build context, on Windows checkouts and in editors. A plain copy works with every Prisma tool; it
// is kept honest by `migrate.ts create` (refreshes it before writing a migration) and by the drift check
// (fails while it differs).
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const SHARED_SCHEMA_FILE = 'stitch.prisma';

/** The source of truth, shipped with this library. */
export const SHARED_SCHEMA_SOURCE = path.join(__dirname, '..', '..', 'prisma', SHARED_SCHEMA_FILE);

export type SharedSchemaState = 'in-sync' | 'missing' | 'outdated';

/** How the copy in a service's schema folder compares with the source. */
export async function sharedSchemaState(schemaDir: string): Promise<SharedSchemaState> {
  const copy = await readFile(await sharedSchemaCopyPath(schemaDir), 'utf8').catch(() => undefined);
  if (copy === undefined) return 'missing';
  return copy === (await readFile(SHARED_SCHEMA_SOURCE, 'utf8')) ? 'in-sync' : 'outdated';
}

/** Writes the source over the copy; true when the copy changed. */
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
