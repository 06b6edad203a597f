import { spawn } from 'node:child_process';
import { until } from '@stitch/waiting-testing';
import { platformCaveat, signalProcessTree, windowsTreeKill } from './process-tree';
import { isGone } from '../test/support/process-state';

describe('signalProcessTree', () => {
  const groups = process.platform === 'win32' ? it.skip : it;

  groups('ends a replica and the process it started, as one group (process groups: Linux and macOS)', async () => {
    // A shell that starts a grandchild, prints its pid and waits on it.
    const child = spawn('sh', ['-c', 'sleep 60 & echo $!; wait'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const grandchild = await new Promise<number>((resolve) =>
      child.stdout.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim()))),
    );
    expect(isGone(grandchild)).toBe(false);

    signalProcessTree(child.pid as number, 'SIGKILL');

    expect(await exited).toBe('SIGKILL');
    await until(`grandchild ${grandchild} to end`, () => isGone(grandchild), { timeoutMs: 10_000 });
  });

  it('is quiet about a group that is already gone', () => {
    expect(() => signalProcessTree(2 ** 22 + 12_345, 'SIGTERM', 'linux')).not.toThrow();
  });

  it('ends the whole tree on Windows with taskkill', () => {
    expect(windowsTreeKill(4242)).toEqual({ command: 'taskkill', args: ['/pid', '4242', '/T', '/F'] });
  });

  it('says in one line what differs on Windows, and nothing elsewhere', () => {
    expect(platformCaveat('linux')).toBeUndefined();
    expect(platformCaveat('darwin')).toBeUndefined();
    expect(platformCaveat('win32')).toMatch(/^on Windows, [^\n]+WSL 2/);
  });
});
