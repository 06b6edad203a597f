import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const repositoryRoot = path.resolve(__dirname, '../../../..');

/**
 * A copy of the repository a lab can change as a participant changes their clone (a generator writing files,
 * `git status` showing them), while the repository under test stays untouched. It holds the sources as they are now,
 * uncommitted changes included, committed once so `git status` starts clean; its node_modules links to the
 * repository's installed packages, except the workspace's own packages, which link into the copy.
 */
export class ScratchWorkspace {
  private constructor(readonly root: string) {}

  static async create(): Promise<ScratchWorkspace> {
    const root = await mkdtemp(path.join(os.tmpdir(), 'stitch-lab-workspace-'));
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repositoryRoot })
      .toString()
      .split('\0')
      // A file deleted in the working tree is still in git's index: the copy is of what is there.
      .filter((file) => file && existsSync(path.join(repositoryRoot, file)));
    for (const file of files) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      cpSync(path.join(repositoryRoot, file), path.join(root, file));
    }
    const workspace = new ScratchWorkspace(root);
    workspace.linkPackages();
    workspace.git('init', '-q');
    workspace.git('add', '-A');
    workspace.git(
      '-c',
      'user.name=workshop',
      '-c',
      'user.email=workshop@stitch.local',
      'commit',
      '-qm',
      'the clone a participant starts from',
    );
    return workspace;
  }

  /** What Nx needs to run in the copy as it runs in a terminal: no daemon, no cloud, its own cache. */
  get env(): Record<string, string> {
    return { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true', NODE_OPTIONS: '' };
  }

  remove(): Promise<void> {
    return rm(this.root, { recursive: true, force: true });
  }

  private git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.root }).toString();
  }

  private linkPackages(): void {
    const modules = path.join(this.root, 'node_modules');
    mkdirSync(path.join(modules, '@stitch'), { recursive: true });
    for (const entry of readdirSync(path.join(repositoryRoot, 'node_modules'))) {
      if (entry !== '@stitch') symlinkSync(path.join(repositoryRoot, 'node_modules', entry), path.join(modules, entry));
    }
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
