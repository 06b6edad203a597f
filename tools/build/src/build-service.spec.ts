import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildService, isShipped, planBuild, runtimeImports, shippedManifest } from './build-service.ts';

const repositoryRoot = path.resolve(__dirname, '../../..');

/** A small workspace: an app, the library it imports (with a spec, a testing entry point and a bench), one it does not. */
function fixture(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'stitch-build-'));
  copyFileSync(path.join(repositoryRoot, '.swcrc'), path.join(root, '.swcrc'));
  const all: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'shop', private: true, workspaces: ['apps/*', 'libs/*'] }),
    'apps/shop/package.json': JSON.stringify({ name: '@t/shop', main: './src/main.ts' }),
    'apps/shop/src/main.ts': [
      "import { greet } from '@t/lib';",
      "import type { Unused } from '@t/unused';",
      "import { name } from './name';",
      'const who: Unused | string = name;',
      'console.log(greet(who));',
    ].join('\n'),
    'apps/shop/src/name.ts': "export const name = 'shop';",
    'apps/shop/src/main.spec.ts': "it('is a test', () => undefined);",
    'apps/shop/prisma/migrations/1_init/migration.sql': 'CREATE TABLE t (id int);',
    'apps/shop/prisma/schema/schema.prisma': 'model T { id Int @id }',
    'apps/shop/public/index.html': '<p>shop</p>',
    'libs/lib/package.json': JSON.stringify({
      name: '@t/lib',
      main: './src/index.ts',
      types: './src/index.ts',
      exports: { '.': './src/index.ts', './testing': './testing/index.ts' },
    }),
    'libs/lib/src/index.ts': [
      "import { Injectable } from './decorator';",
      '@Injectable()',
      'export class Greeter { hello(who: string): string { return `hello ${who}`; } }',
      'export function greet(who: string): string { return new Greeter().hello(who); }',
    ].join('\n'),
    'libs/lib/src/decorator.ts': 'export const Injectable = (): ClassDecorator => () => undefined;',
    'libs/lib/src/data/rules.wasm': 'not really wasm',
    'libs/lib/src/index.spec.ts': "it('is a test', () => undefined);",
    'libs/lib/testing/index.ts': 'export const fake = 1;',
    'libs/lib/bench/bench.ts': 'export const bench = 1;',
    'libs/unused/package.json': JSON.stringify({ name: '@t/unused', main: './src/index.ts' }),
    'libs/unused/src/index.ts': 'export type Unused = string;',
    ...files,
  };
  for (const [file, content] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

describe('the production build of a service', () => {
  const roots: string[] = [];
  const made = (files: Record<string, string> = {}): string => {
    const root = fixture(files);
    roots.push(root);
    return root;
  };
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  it('ships neither tests nor testing entry points nor benchmarks', () => {
    expect(isShipped('src/index.ts')).toBe(true);
    expect(isShipped('src/generated/prisma/query_compiler_bg.wasm')).toBe(true);
    expect(isShipped('src/index.spec.ts')).toBe(false);
    expect(isShipped('src/main.int.spec.ts')).toBe(false);
    expect(isShipped('src/flow.e2e-spec.ts')).toBe(false);
    expect(isShipped('src/testing/index.ts')).toBe(false);
    expect(isShipped('testing/index.ts')).toBe(false);
    expect(isShipped('src/test-support/fake.ts')).toBe(false);
    expect(isShipped('test/support/app.ts')).toBe(false);
    expect(isShipped('bench/bench.ts')).toBe(false);
  });

  it('points a package at its compiled entry points and drops the ones that do not ship', () => {
    expect(
      shippedManifest({
        name: '@t/lib',
        private: true,
        main: './src/index.ts',
        types: './src/index.ts',
        exports: { '.': './src/index.ts', './testing': './src/testing/index.ts' },
      }),
    ).toEqual({ name: '@t/lib', private: true, main: './src/index.js', exports: { '.': './src/index.js' } });
  });

  it('reads the imports that run: static, re-exports, dynamic and require, not type-only ones', () => {
    const root = made({
      'apps/shop/src/imports.ts': [
        "import 'reflect-metadata';",
        "import type { A } from './a';",
        "export * from './b';",
        "export { c } from './c';",
        "export type { D } from './d';",
        "const e = require('./e');",
        "void import('./f');",
        "type G = typeof import('./g');",
        "// import { h } from './h';",
      ].join('\n'),
    });
    expect(runtimeImports(path.join(root, 'apps/shop/src/imports.ts'))).toEqual(['reflect-metadata', './b', './c', './e', './f']);
  });

  it('takes the packages the app imports at run time, with their shipped files and the app files that run', () => {
    const plan = planBuild(made(), 'shop');
    expect(plan.packages.map((pkg) => pkg.name)).toEqual(['@t/shop', '@t/lib']);
    expect(plan.sources).toEqual(['apps/shop/src/main.ts', 'apps/shop/src/name.ts', 'libs/lib/src/decorator.ts', 'libs/lib/src/index.ts']);
    expect(plan.assets).toEqual([
      'apps/shop/prisma/migrations/1_init/migration.sql',
      'apps/shop/prisma/schema/schema.prisma',
      'apps/shop/public/index.html',
      'libs/lib/src/data/rules.wasm',
    ]);
  });

  it('refuses an app whose code imports a testing entry point', () => {
    const root = made({ 'apps/shop/src/name.ts': "export { fake as name } from '@t/lib/testing';" });
    expect(() => planBuild(root, 'shop')).toThrow(/imports files that do not ship.*libs\/lib\/testing\/index\.ts/);
  });

  it('refuses an import it cannot resolve', () => {
    const root = made({ 'apps/shop/src/name.ts': "export { name } from './missing';" });
    expect(() => planBuild(root, 'shop')).toThrow(/cannot resolve \.\/missing/);
  });

  it('writes a tree that runs with node once the workspace packages are linked', async () => {
    const root = made();
    const { outDir } = await buildService(root, 'shop');
    expect(outDir).toBe(path.join(root, 'dist', 'shop'));
    expect(JSON.parse(readFileSync(path.join(outDir, 'libs/lib/package.json'), 'utf8'))).toEqual({
      name: '@t/lib',
      main: './src/index.js',
      exports: { '.': './src/index.js' },
    });
    expect(existsSync(path.join(outDir, 'apps/shop/src/main.js.map'))).toBe(true);
    expect(existsSync(path.join(outDir, 'apps/shop/src/main.spec.js'))).toBe(false);
    expect(existsSync(path.join(outDir, 'libs/lib/testing'))).toBe(false);
    expect(existsSync(path.join(outDir, 'libs/unused'))).toBe(false);
    expect(readFileSync(path.join(outDir, 'apps/shop/public/index.html'), 'utf8')).toBe('<p>shop</p>');

    mkdirSync(path.join(outDir, 'node_modules/@t'), { recursive: true });
    symlinkSync('../../libs/lib', path.join(outDir, 'node_modules/@t/lib'));
    expect(execFileSync(process.execPath, [path.join(outDir, 'apps/shop/src/main.js')], { encoding: 'utf8' })).toBe('hello shop\n');
  });
});
