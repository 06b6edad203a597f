import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repositoryRoot = path.resolve(__dirname, '../../../..');

export interface CommandResult {
  readonly code: number | null;
  readonly output: string;
}

/**
 * A copy of this workspace's sources in a temporary folder, where a generator can write and Nx can lint,
 * typecheck and test the result without touching the repository. Its node_modules links to the repository's
 * installed packages, except the workspace's own packages, which link into the copy.
 */
export class TemporaryWorkspace {
  private constructor(readonly root: string) {}

  static create(): TemporaryWorkspace {
    const root = mkdtempSync(path.join(os.tmpdir(), 'stitch-workspace-'));
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repositoryRoot })
      .toString()
      .split('\0')
      // A file deleted in the working tree is still in git's index: the copy is of what is there.
      .filter((file) => file && existsSync(path.join(repositoryRoot, file)));
    for (const file of files) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      cpSync(path.join(repositoryRoot, file), path.join(root, file));
    }
    const workspace = new TemporaryWorkspace(root);
    workspace.linkPackages();
    // A baseline commit, so `changedFiles` lists exactly what a generator wrote.
    workspace.git('init', '-q');
    workspace.git('add', '-A');
    workspace.git('-c', 'user.name=workspace', '-c', 'user.email=workspace@stitch.local', 'commit', '-qm', 'baseline');
    return workspace;
  }

  /** Paths (relative to the root) the generator added or changed since the copy was made, sorted. */
  changedFiles(): string[] {
    this.git('add', '-A');
    return this.git('diff', '--cached', '--name-only').split('\n').filter(Boolean).sort();
  }

  read(file: string): string {
    return readFileSync(path.join(this.root, file), 'utf8');
  }

  exists(file: string): boolean {
    return existsSync(path.join(this.root, file));
  }

  /** What Nx needs to run in the copy as it runs in a terminal: no daemon, no cloud, no cache of the repository's. */
  get env(): Record<string, string> {
    return { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_SKIP_NX_CACHE: 'true', CI: 'true', NODE_OPTIONS: '' };
  }

  /** Runs Nx in the copy, its output captured for the assertion message. */
  nx(...args: string[]): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [this.nxBin(), ...args], {
        cwd: this.root,
        env: { ...process.env, ...this.env },
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, output }));
    });
  }

  private nxBin(): string {
    const manifest = path.join(this.root, 'node_modules/nx/package.json');
    const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> };
    return path.join(path.dirname(manifest), bin['nx']!);
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  private git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.root }).toString();
  }

  private linkPackages(): void {
    const modules = path.join(this.root, 'node_modules');
    mkdirSync(modules);
    for (const entry of readdirSync(path.join(repositoryRoot, 'node_modules'))) {
      if (entry === '@stitch') continue;
      symlinkSync(path.join(repositoryRoot, 'node_modules', entry), path.join(modules, entry));
    }
    mkdirSync(path.join(modules, '@stitch'));
    for (const folder of this.workspaceFolders()) {
      const { name } = JSON.parse(readFileSync(path.join(this.root, folder, 'package.json'), 'utf8')) as { name: string };
      symlinkSync(path.join(this.root, folder), path.join(modules, name));
    }
  }

  /** The folders the root package.json's workspaces name: exact paths and `<dir>/*` patterns. */
  private workspaceFolders(): string[] {
    const { workspaces } = JSON.parse(readFileSync(path.join(this.root, 'package.json'), 'utf8')) as { workspaces: string[] };
    return workspaces.flatMap((pattern) => {
      if (!pattern.endsWith('/*')) return [pattern];
      const parent = pattern.slice(0, -2);
      return readdirSync(path.join(this.root, parent))
        .map((child) => path.join(parent, child))
        .filter((folder) => existsSync(path.join(this.root, folder, 'package.json')));
    });
  }
}

/** Why a command failed: Nx's list of failed tasks, each failing test and error line, and the last lines. */
export function tail(result: CommandResult, lines = 40): string {
  // eslint-disable-next-line no-control-regex
  const text = result.output.replace(/\u001b\[[0-9;]*m/g, '');
  const failures = text.split('\n').filter((line) => /Failed tasks|^\s*- \S+:\S+|●|✕|error/.test(line));
  return [...failures, '…', ...text.split('\n').slice(-lines)].join('\n');
}

/** A command's exit code, with why it failed when it did: compared with `{ code: 0, tail: '' }`, a failure shows its cause. */
export function outcome(result: CommandResult): { code: number | null; tail: string } {
  return { code: result.code, tail: result.code === 0 ? '' : tail(result) };
}
