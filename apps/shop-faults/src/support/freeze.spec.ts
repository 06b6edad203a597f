import { spawn, type ChildProcess } from 'node:child_process';
import { isAlive } from '@stitch/launcher';
import { until } from '@stitch/waiting-testing';
import { freeze, killNow, processState, thaw } from './freeze';

describe('freeze', () => {
  let child: ChildProcess | undefined;

  afterEach(() => {
    if (child?.pid && isAlive(child.pid)) child.kill('SIGKILL');
    child = undefined;
  });

  /** A process that writes a line every 5 ms while it runs. */
  const ticking = async () => {
    child = spawn(process.execPath, ['-e', 'setInterval(() => console.log("tick"), 5)'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let ticks = 0;
    child.stdout?.on('data', (chunk: Buffer) => (ticks += chunk.toString().split('\n').length - 1));
    await until('the child ticking', () => ticks > 0, { timeoutMs: 10_000 });
    return { pid: child.pid as number, ticks: () => ticks };
  };

  it('stops a process until it is thawed, then kills it and waits until it is gone', async () => {
    const { pid, ticks } = await ticking();
    await freeze(pid);
    expect(processState(pid)).toBe('T');
    const frozenAt = ticks();
    thaw(pid);
    await until('the child ticking again', () => ticks() > frozenAt, { timeoutMs: 10_000 });
    expect(processState(pid)).not.toBe('T');
    const killedAt = await killNow(pid);
    expect(killedAt).toBeLessThanOrEqual(Date.now());
    expect(isAlive(pid)).toBe(false);
    expect(processState(pid)).toBeUndefined();
  });

  it('kills a frozen process', async () => {
    const { pid } = await ticking();
    await freeze(pid);
    await killNow(pid);
    expect(isAlive(pid)).toBe(false);
  });

  it('fails for a process that is gone', async () => {
    const { pid } = await ticking();
    await killNow(pid);
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(freeze(pid)).rejects.toThrow();
  });
});
