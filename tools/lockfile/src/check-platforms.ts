// Whether package-lock.json installs with `npm ci` on a given platform, and brings every binary package meant for
// it. npm runs as if on that machine (see fake-platform.cjs) in a scratch folder holding only the manifests.
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const DEFAULT_PLATFORMS = ['linux-x64', 'linux-arm64', 'darwin-arm64', 'darwin-x64', 'win32-x64'];

interface LockedPackage {
  readonly version?: string;
  readonly integrity?: string;
  readonly os?: readonly string[];
  readonly cpu?: readonly string[];
  readonly libc?: readonly string[];
  readonly optional?: boolean;
  readonly dev?: boolean;
  readonly link?: boolean;
}

interface Lockfile {
  readonly packages: Readonly<Record<string, LockedPackage>>;
}

export interface PlatformResult {
  readonly platform: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Whether npm would install a package with these `os`/`cpu`/`libc` fields on a glibc machine of that platform. */
export function meantFor(entry: LockedPackage, platform: string, arch: string): boolean {
  const allows = (list: readonly string[] | undefined, value: string) =>
    !list || (list.some((item) => !item.startsWith('!')) ? list.includes(value) : !list.includes(`!${value}`));
  if (!allows(entry.os, platform) || !allows(entry.cpu, arch)) return false;
  // The Linux machines this targets run glibc; musl builds are for Alpine.
  return platform !== 'linux' || !entry.libc || entry.libc.includes('glibc');
}

/** The packages that exist only for some platforms and match this one: each must be installed there. */
export function binariesFor(lock: Lockfile, platform: string, arch: string): string[] {
  return Object.entries(lock.packages)
    .filter(([location, entry]) => location.startsWith('node_modules/') && (entry.os || entry.cpu) && meantFor(entry, platform, arch))
    .map(([location]) => location);
}

/** package.json of the root and of every workspace, as `npm ci` needs them to check the lockfile. */
async function manifests(root: string): Promise<string[]> {
  const rootManifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { workspaces?: string[] };
  const files = ['package.json'];
  for (const pattern of rootManifest.workspaces ?? []) {
    const folders = pattern.endsWith('/*')
      ? (await readdir(path.join(root, pattern.slice(0, -2)), { withFileTypes: true }).catch(() => []))
          .filter((entry) => entry.isDirectory())
          .map((entry) => path.join(pattern.slice(0, -2), entry.name))
      : [pattern];
    for (const folder of folders) {
      const manifest = path.join(folder, 'package.json');
      if (
        await stat(path.join(root, manifest)).then(
          () => true,
          () => false,
        )
      )
        files.push(manifest);
    }
  }
  return files;
}

/** `preload` is fake-platform.cjs; `dryRun` resolves and checks without downloading (and so cannot see what is missing on disk). */
export async function checkPlatform(root: string, target: string, preload: string, dryRun: boolean): Promise<PlatformResult> {
  const [platform = '', arch = ''] = target.split('-');
  const scratch = await mkdtemp(path.join(os.tmpdir(), `stitch-lockfile-${target}-`));
  try {
    for (const file of [...(await manifests(root)), 'package-lock.json']) {
      await mkdir(path.dirname(path.join(scratch, file)), { recursive: true });
      await copyFile(path.join(root, file), path.join(scratch, file));
    }
    const npm = spawnSync(
      'npm',
      ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', ...(dryRun ? ['--dry-run'] : [])],
      {
        cwd: scratch,
        encoding: 'utf8',
        env: {
          ...process.env,
          STITCH_FAKE_PLATFORM: target,
          NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --require ${preload}`.trim(),
        },
      },
    );
    if (npm.status !== 0) {
      const reason = npm.stderr
        .split('\n')
        .filter((line) => /npm error (code|notsup|Missing|Invalid|`npm ci`)/.test(line))
        .slice(0, 6)
        .join(' | ');
      return { platform: target, ok: false, detail: `npm ci failed: ${reason || npm.stderr.trim().split('\n').slice(0, 3).join(' | ')}` };
    }
    const lock = JSON.parse(await readFile(path.join(root, 'package-lock.json'), 'utf8')) as Lockfile;
    const binaries = binariesFor(lock, platform, arch);
    // A dry run downloads nothing: each binary must at least be pinned, with the checksum npm ci will verify.
    const unpinned = binaries.filter((location) => !lock.packages[location]?.version || !lock.packages[location]?.integrity);
    if (unpinned.length > 0) return { platform: target, ok: false, detail: `the lockfile does not pin ${unpinned.join(', ')}` };
    if (!dryRun) {
      const missing = [];
      for (const location of binaries)
        if (
          !(await stat(path.join(scratch, location)).then(
            () => true,
            () => false,
          ))
        )
          missing.push(location);
      if (missing.length > 0) return { platform: target, ok: false, detail: `installed without ${missing.join(', ')}` };
    }
    const names = binaries.map((location) => location.replace(/^.*node_modules\//, ''));
    return { platform: target, ok: true, detail: `${names.length} platform packages (${names.join(', ')})` };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
