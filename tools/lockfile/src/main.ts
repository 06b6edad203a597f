// `node tools/lockfile/src/main.ts [--root <dir>] [--dry-run] [<platform>-<arch>...]`: proves that package-lock.json
// installs with `npm ci` on each platform a workshop room brings, each with the binaries meant for it. One line each.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkPlatform, DEFAULT_PLATFORMS } from './check-platforms.ts';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: { root: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    allowPositionals: true,
  });
  const root = path.resolve(values.root ?? '.');
  const preload = path.join(path.dirname(path.resolve(process.argv[1] ?? '')), 'fake-platform.cjs');
  const targets = positionals.length > 0 ? positionals : DEFAULT_PLATFORMS;
  let failures = 0;
  for (const target of targets) {
    const started = Date.now();
    const result = await checkPlatform(root, target, preload, values['dry-run'] ?? false);
    if (!result.ok) failures++;
    console.log(`${result.ok ? 'ok  ' : 'FAIL'}  ${target}: ${result.detail} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`lockfile check failed: ${(error as Error).message}`);
    process.exitCode = 1;
  },
);
