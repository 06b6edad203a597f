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
