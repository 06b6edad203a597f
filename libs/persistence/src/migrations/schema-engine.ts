// Prisma Migrate without the native schema engine: Prisma's own schema engine compiled to WebAssembly
// (@prisma/schema-engine-wasm, pinned to the SAME engine commit as the `prisma` CLI: 7.10.0 <-> 0edf323e),
// driven through a driver adapter (./pg-migration-adapter). Nothing is downloaded, so it works offline.
//
// The wasm API used by this folder (types: node_modules/@prisma/schema-engine-wasm/schema_engine.d.ts):
//   SchemaEngine.new({ datamodels: [[path, content], ...] }, (log) => void, bindMigrationAwareSqlAdapterFactory(factory))
//   engine.applyMigrations({ migrationsList, filters })                 -> { appliedMigrationNames }   (= migrate deploy)
//   engine.diff({ from, to, script: true, exitCode: true, filters })    -> { exitCode: 0 | 2, stdout }
//       from = { tag: 'migrations', ...migrationsList } (replayed on a shadow database)
//       to   = { tag: 'schemaDatamodel', files }; 'url' targets are rejected by the wasm build
//   engine.devDiagnostic({ migrationsList, filters }) then engine.createMigration({ draft, migrationName, migrationsList, schema, filters })
//   engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase, filters })          (= migrate status)
//   engine.free()
// The engine takes its own `pg_advisory_lock(72707369)` around applyMigrations, like the native one.
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaContainer, SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PgMigrationAdapterFactory } from './pg-migration-adapter';

type SchemaEngineClass = typeof SchemaEngine;

type WasmExports = Record<string, unknown>;
// The compile target's lib (es2023, no DOM) does not declare WebAssembly; Node has it.
const { WebAssembly } = globalThis as unknown as {
  WebAssembly: { instantiate(bytes: Uint8Array, imports: Record<string, WasmExports>): Promise<{ instance: { exports: WasmExports } }> };
};

/** Receives the engine's log and trace lines. */
export type EngineLog = (line: string) => void;

export const NO_FILTERS: SchemaFilter = { externalTables: [], externalEnums: [] };

let engineClass: Promise<SchemaEngineClass> | undefined;

/**
 * Instantiates the engine's .wasm by hand rather than importing the package, which relies on Node's ESM-wasm
 * integration (an ExperimentalWarning, a flag on older Node). Doing it by hand also lets us replace one
 * import (shim 4): the engine arms a 10 s JS timer through its `__wbg_setTimeout_*` import around its advisory
 * lock and has no clearTimeout import, so the timer outlived every call and kept a `migrate deploy` process
 * alive ~10 s after its work was done. It gets an unref()'d setTimeout instead.
 */
export function loadSchemaEngine(): Promise<SchemaEngineClass> {
  engineClass ??= instantiateSchemaEngine().catch((error: unknown) => {
    engineClass = undefined;
    throw error;
  });
  return engineClass;
}

async function instantiateSchemaEngine(): Promise<SchemaEngineClass> {
  const glue = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as unknown as Record<string, unknown> & {
    __wbg_set_wasm(exports: WasmExports): void;
    SchemaEngine: SchemaEngineClass;
  };
  // The package exports only the .js glue, not the .wasm next to it.
  const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const bytes = await readFile(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm'));
  const imports: Record<string, unknown> = { ...glue };
  for (const name of Object.keys(glue).filter((key) => key.startsWith('__wbg_setTimeout_'))) {
    imports[name] = (callback: () => void, ms: number) => setTimeout(callback, ms >>> 0).unref();
  }
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': imports });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
  return glue.SchemaEngine;
}

/** One engine instance over `factory`'s connections, freed (and every connection closed) afterwards. */
export async function withSchemaEngine<T>(
  schemaFiles: SchemaContainer[],
  factory: PgMigrationAdapterFactory,
  log: EngineLog | undefined,
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const Engine = await loadSchemaEngine();
  let engine: SchemaEngine | undefined;
  try {
    engine = await Engine.new(
      { datamodels: schemaFiles.map((file): [string, string] => [file.path, file.content]) },
      (line: string) => log?.(line),
      bindMigrationAwareSqlAdapterFactory(factory),
    );
    return await work(engine);
  } catch (error) {
    throw asError(error);
  } finally {
    engine?.free();
    await factory.close();
  }
}

/** The engine rejects with plain objects or strings; make them Errors with a readable message. */
function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (thrown && typeof thrown === 'object') {
    const fields = thrown as Record<string, unknown>;
    const message = typeof fields['message'] === 'string' ? fields['message'] : JSON.stringify(fields);
    return Object.assign(new Error(message), fields);
  }
  return new Error(String(thrown));
}
