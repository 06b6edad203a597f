#!/usr/bin/env node
// Runs the Prisma CLI commands that never execute the native schema engine (generate, validate, format)
// without letting the CLI download that engine, so they behave the same offline and on a connected machine.
//
//   node tools/prisma/prisma-offline.mjs generate --config apps/order-service/prisma.config.ts
//
// Why: Prisma 7.10's CLI resolves (and, when missing, downloads) the native schema-engine binary when any
// command starts, even `generate`, which does not run it. PRISMA_SCHEMA_ENGINE_BINARY makes it use a given
// file instead; the file must exist. We point it at a stub that exits 1, so a command that really needs the
// engine fails loudly. CHECKPOINT_DISABLE=1 turns off the CLI's update/telemetry check (a network call).
// Migrations never go through the CLI: tools/prisma/migrate.ts drives the wasm engine instead.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const ALLOWED = new Set(['generate', 'validate', 'format']);
const [command, ...rest] = process.argv.slice(2);
if (!command || !ALLOWED.has(command)) {
  process.stderr.write(
    `prisma-offline: only ${[...ALLOWED].join(', ')} (got ${command ?? 'nothing'}); for migrations use tools/prisma/migrate.ts\n`,
  );
  process.exit(64);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? path.join(here, 'schema-engine-unavailable.sh'),
  CHECKPOINT_DISABLE: '1',
};
const result = spawnSync(process.execPath, [prismaCli, command, ...rest], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
