// The production build of one service: its code and the workspace packages it imports, compiled by swc into
// dist/<service>/ with the repository's layout, plus what runs besides code (Prisma schema and migrations, the
// storefront's static files) and package.json files that point Node at the compiled JavaScript. Laid over an
// install of the production dependencies (`npm ci --omit=dev`), it runs with
// `node dist/<service>/apps/<service>/src/main.js`: workspace packages resolve through npm's node_modules/@stitch/*
// links to the same folders.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseFileSync, transformFileSync, type Options } from '@swc/core';

export interface WorkspacePackage {
  readonly name: string;
  /** Its folder, relative to the workspace root, with forward slashes. */
  readonly dir: string;
  readonly manifest: PackageManifest;
}

export interface PackageManifest {
  name: string;
  main?: string;
  types?: string;
  exports?: string | Record<string, string>;
  [key: string]: unknown;
}

export interface BuildPlan {
  readonly service: string;
  /** The packages the service's code reaches, the service's own first. */
  readonly packages: readonly WorkspacePackage[];
  /** Workspace-relative TypeScript files to compile. */
  readonly sources: readonly string[];
  /** Workspace-relative files copied as they are: generated non-TypeScript files, schema, migrations, static files. */
  readonly assets: readonly string[];
}

/**
 * Folders that never ship: tests, test doubles and the entry points for tests (`testing`), benchmarks. A shipped
 * file that imports one of them fails the build instead of failing in production.
 */
const NOT_SHIPPED_DIRS = new Set(['test', 'testing', 'test-support', 'bench', 'node_modules']);
const NOT_SHIPPED_FILE = /\.(spec|int\.spec|e2e-spec)\.ts$|\.d\.ts$/;
/** What an app needs at run time besides its code, when it has it. */
const APP_RUNTIME_DIRS = ['prisma/schema', 'prisma/migrations', 'public'];

const toPosix = (file: string): string => file.split(path.sep).join('/');

/** The packages of the root package.json's `workspaces` (plain folders or `<folder>/*`). */
export function workspacePackages(root: string): Map<string, WorkspacePackage> {
  const rootManifest = readJson(path.join(root, 'package.json')) as { workspaces?: string[] };
  const packages = new Map<string, WorkspacePackage>();
  for (const pattern of rootManifest.workspaces ?? []) {
    const dirs = pattern.endsWith('/*')
      ? listDirs(path.join(root, pattern.slice(0, -2))).map((name) => `${pattern.slice(0, -2)}/${name}`)
      : [pattern];
    for (const dir of dirs) {
      const file = path.join(root, dir, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = readJson(file) as PackageManifest;
      packages.set(manifest.name, { name: manifest.name, dir, manifest });
    }
  }
  return packages;
}

/** The module specifiers a file imports at run time: type-only imports and exports are left out. */
export function runtimeImports(file: string): string[] {
  const ast = parseFileSync(file, { syntax: 'typescript', decorators: true });
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown> & { type?: string };
    const source = (n['source'] as { value?: unknown } | undefined)?.value;
    if (
      (n.type === 'ImportDeclaration' || n.type === 'ExportNamedDeclaration' || n.type === 'ExportAllDeclaration') &&
      typeof source === 'string'
    ) {
      if (!n['typeOnly']) found.push(source);
    } else if (n.type === 'CallExpression') {
      const callee = n['callee'] as { type?: string; value?: string };
      const first = (n['arguments'] as { expression?: { type?: string; value?: unknown } }[] | undefined)?.[0]?.expression;
      const isLoader = callee.type === 'Import' || (callee.type === 'Identifier' && callee.value === 'require');
      if (isLoader && first?.type === 'StringLiteral' && typeof first.value === 'string') found.push(first.value);
    }
    for (const [key, value] of Object.entries(n)) {
      if (key !== 'span' && value && typeof value === 'object') visit(value);
    }
  };
  visit(ast.body);
  return found;
}

/** Which package and entry file a `@stitch/<name>[/<subpath>]` specifier names; undefined for anything else. */
export function resolveWorkspaceImport(
  specifier: string,
  packages: ReadonlyMap<string, WorkspacePackage>,
): { package: WorkspacePackage; file: string } | undefined {
  for (const pkg of packages.values()) {
    if (specifier !== pkg.name && !specifier.startsWith(`${pkg.name}/`)) continue;
    const subpath = `.${specifier.slice(pkg.name.length)}`;
    const { exports, main } = pkg.manifest;
    const target =
      typeof exports === 'string'
        ? subpath === '.'
          ? exports
          : undefined
        : exports
          ? exports[subpath]
          : subpath === '.'
            ? main
            : undefined;
    if (!target) throw new Error(`${specifier}: ${pkg.name} exports no ${subpath}`);
    return { package: pkg, file: path.posix.join(pkg.dir, target) };
  }
  return undefined;
}

function resolveRelative(root: string, fromFile: string, specifier: string): string {
  const base = path.posix.join(path.posix.dirname(fromFile), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) {
    const file = path.join(root, candidate);
    if (existsSync(file) && !isDir(file)) return candidate;
  }
  throw new Error(`${fromFile}: cannot resolve ${specifier}`);
}

/** Whether a workspace-relative file ships, by its path inside its package. */
export function isShipped(fileInPackage: string): boolean {
  const parts = fileInPackage.split('/');
  return !NOT_SHIPPED_FILE.test(fileInPackage) && !parts.slice(0, -1).some((part) => NOT_SHIPPED_DIRS.has(part));
}

/**
 * Follows the imports from the service's main.ts to find the workspace packages it needs, then takes every shipped
 * file of their `src` folders (code loaded by a computed path is then included too). Fails when a file it reached
 * does not ship, or when an import cannot be resolved.
 */
export function planBuild(root: string, service: string): BuildPlan {
  const packages = workspacePackages(root);
  const app = [...packages.values()].find((pkg) => pkg.dir === `apps/${service}`);
  if (!app) throw new Error(`apps/${service} is not a workspace package (root package.json "workspaces")`);
  const entry = `${app.dir}/src/main.ts`;
  if (!existsSync(path.join(root, entry))) throw new Error(`${entry} does not exist`);

  const reached = new Set<string>();
  const needed = new Map<string, WorkspacePackage>([[app.name, app]]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (reached.has(file)) continue;
    reached.add(file);
    if (!file.endsWith('.ts')) continue;
    for (const specifier of runtimeImports(path.join(root, file))) {
      if (specifier.startsWith('.')) {
        queue.push(resolveRelative(root, file, specifier));
        continue;
      }
      const target = resolveWorkspaceImport(specifier, packages);
      if (!target) continue;
      needed.set(target.package.name, target.package);
      queue.push(target.file);
    }
  }

  const sources: string[] = [];
  const assets: string[] = [];
  for (const pkg of needed.values()) {
    for (const file of listFiles(root, `${pkg.dir}/src`)) {
      if (!isShipped(file.slice(pkg.dir.length + 1))) continue;
      (file.endsWith('.ts') ? sources : assets).push(file);
    }
  }
  for (const dir of APP_RUNTIME_DIRS) assets.push(...listFiles(root, `${app.dir}/${dir}`));

  const shipped = new Set([...sources, ...assets]);
  const stray = [...reached].filter((file) => !shipped.has(file));
  if (stray.length > 0) {
    throw new Error(`${service} imports files that do not ship (tests, testing entry points, benchmarks): ${stray.sort().join(', ')}`);
  }
  return { service, packages: [...needed.values()], sources: sources.sort(), assets: assets.sort() };
}

/** A package's manifest as shipped: entry points on the compiled `.js`, and no entry point that does not ship. */
export function shippedManifest(manifest: PackageManifest): PackageManifest {
  const toJs = (target: string): string => target.replace(/\.ts$/, '.js');
  const { types: _types, exports, main, ...rest } = manifest;
  const shipped: PackageManifest = { ...rest };
  if (main) shipped.main = toJs(main);
  if (typeof exports === 'string') shipped.exports = toJs(exports);
  else if (exports) {
    shipped.exports = Object.fromEntries(
      Object.entries(exports)
        .filter(([, target]) => isShipped(target.replace(/^\.\//, '')))
        .map(([subpath, target]) => [subpath, toJs(target)]),
    );
  }
  return shipped;
}

/** swc's options: the repository's .swcrc, with source maps in files of their own rather than inline. */
export function compilerOptions(root: string): Options {
  const swcrc = readJson(path.join(root, '.swcrc')) as Options & { $schema?: string };
  delete swcrc.$schema;
  return { ...swcrc, swcrc: false, sourceMaps: true, inlineSourcesContent: false };
}

export interface BuildResult {
  readonly outDir: string;
  readonly plan: BuildPlan;
}

/** Builds the service into `outDir` (default dist/<service>), emptied first. */
export async function buildService(root: string, service: string, outDir = path.join(root, 'dist', service)): Promise<BuildResult> {
  const plan = planBuild(root, service);
  const options = compilerOptions(root);
  await rm(outDir, { recursive: true, force: true });
  for (const file of plan.sources) {
    const target = path.join(outDir, file.replace(/\.ts$/, '.js'));
    const mapName = `${path.basename(target)}.map`;
    const { code, map } = transformFileSync(path.join(root, file), {
      ...options,
      filename: path.join(root, file),
      sourceFileName: path.posix.relative(path.posix.dirname(file), file),
    });
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, `${code}\n//# sourceMappingURL=${mapName}\n`);
    if (map) await writeFile(`${target}.map`, map);
  }
  for (const file of plan.assets) {
    const target = path.join(outDir, file);
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(path.join(root, file), target);
  }
  for (const pkg of plan.packages) {
    await mkdir(path.join(outDir, pkg.dir), { recursive: true });
    await writeFile(path.join(outDir, pkg.dir, 'package.json'), `${JSON.stringify(shippedManifest(pkg.manifest), null, 2)}\n`);
  }
  return { outDir, plan };
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function isDir(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function listDirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** Every file below a workspace-relative folder, workspace-relative; none when it does not exist. */
function listFiles(root: string, dir: string): string[] {
  const absolute = path.join(root, dir);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => toPosix(path.relative(root, path.join(entry.parentPath, entry.name))))
    .sort();
}
