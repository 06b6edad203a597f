import { readFileSync } from 'node:fs';
import { isAlive } from '../../src/run-record';

/** A process that has exited, including a zombie nobody has reaped yet (an orphan waits for init). */
export function isGone(pid: number): boolean {
  if (process.platform !== 'linux') return !isAlive(pid);
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

/** Waits until the condition holds, checking every 50 ms; fails naming what it waited for. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
