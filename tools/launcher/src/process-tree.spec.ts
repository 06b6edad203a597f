import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { platformCaveat, signalProcessTree, windowsTreeKill } from './process-tree';
import { isAlive } from './run-record';

/** Exited, including a zombie nobody has reaped yet (an orphan waits for init). */
function isGone(pid: number): boolean {
  if (process.platform !== 'linux') return !isAlive(pid);
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('signalProcessTree', () => {
  const groups = process.platform === 'win32' ? it.skip : it;

  groups('ends a replica and the process it started, as one group (process groups: Linux and macOS)', async () => {
    // A shell that starts a grandchild, prints its pid and waits on it.
    const child = spawn('sh', ['-c', 'sleep 60 & echo $!; wait'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const grandchild = await new Promise<number>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim()))));
    expect(isGone(grandchild)).toBe(false);

    signalProcessTree(child.pid as number, 'SIGKILL');

    expect(await exited).toBe('SIGKILL');
    await until(() => isGone(grandchild), `grandchild ${grandchild} to end`);
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
