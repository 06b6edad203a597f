import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isAlive } from '@stitch/launcher';
import { until } from '@stitch/waiting-testing';

/**
 * How a scenario waits on a process it signals: looking again every millisecond, so a process frozen meanwhile stays
 * frozen no longer than needed.
 */
export const promptly = { intervalMs: 1, timeoutMs: 10_000 };

/**
 * The state letter of a process as the OS reports it (`R`, `S`, `T` for stopped, `Z`…), from /proc on Linux and
 * `ps` elsewhere; undefined when the process is gone.
 */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (comm) S …`: the name may hold spaces and parentheses, the state follows the last `)`.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && process.platform === 'linux') return undefined;
  }
  try {
    return (
      execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' })
        .trim()
        .charAt(0) || undefined
    );
  } catch {
    return undefined;
  }
}

/**
 * Stops the process (SIGSTOP) and resolves once it has stopped: from then on it runs no code, so what it holds cannot
 * change, until it is continued (`thaw`) or killed.
 */
export async function freeze(pid: number): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  await stopped(pid);
}

/**
 * Resolves once a process sent SIGSTOP has stopped: `kill` only queues a signal, which takes effect when the process
 * next enters the kernel. If it does not stop, it is continued and the error thrown.
 */
export async function stopped(pid: number): Promise<void> {
  try {
    await until(
      `process ${pid} stopped`,
      () => {
        const state = processState(pid);
        if (state === undefined || state === 'Z') throw new Error(`process ${pid} died before it could be stopped`);
        return state === 'T';
      },
      promptly,
    );
  } catch (error) {
    thaw(pid);
    throw error;
  }
}

export function thaw(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // Gone already.
  }
}

/** SIGKILL; resolves once the process is gone (reaped), with the time the signal was sent. */
export async function killNow(pid: number): Promise<number> {
  process.kill(pid, 'SIGKILL');
  const killedAt = Date.now();
  await until(`process ${pid} gone after SIGKILL`, () => !isAlive(pid), { ...promptly, timeoutMs: 30_000 });
  return killedAt;
}
