// Writes libs/persistence/prisma/stitch.prisma into a service's schema folder, the first step of every data-owning
// project's `generate` target (before `prisma generate`, which reads only that folder):
//
//   node --require @swc-node/register tools/prisma/shared-schema.ts --config apps/order-service/prisma.config.ts
//   node --require @swc-node/register tools/prisma/shared-schema.ts --check --config ...   (exit 1 when missing or stale)
//
// The include is gitignored; the project's Nx `generate` target caches it as an output.
import { SHARED_SCHEMA_FILE, sharedSchemaState, syncSharedSchema } from '@stitch/persistence';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveSchemaPath, UsageError } from './prisma-config';

const USAGE = `usage: shared-schema.ts [--check] [--config <prisma.config.ts>] [--schema <folder>]
  writes ${SHARED_SCHEMA_FILE} into the schema folder; with --check, only exits 1 when it is missing or stale`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      schema: { type: 'string' },
      check: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  const schemaPath = resolveSchemaPath(values);
  const include = path.relative(process.cwd(), path.join(schemaPath, SHARED_SCHEMA_FILE));
  if (values.check) {
    const state = await sharedSchemaState(schemaPath);
    if (state === 'in-sync') return 0;
    console.error(`${include} is ${state}: run the project's generate target`);
    return 1;
  }
  if (await syncSharedSchema(schemaPath)) console.error(`wrote ${include}`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof UsageError ? `${error.message}\n${USAGE}` : error);
    process.exitCode = error instanceof UsageError ? 64 : 1;
  },
);
