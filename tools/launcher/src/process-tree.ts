import { spawnSync } from 'node:child_process';

/**
 * Signals a replica and everything it started. On Linux and macOS each replica leads a process group of its own
 * (spawned detached), so one kill of the negative pid reaches the group. Windows has neither groups nor SIGTERM:
 * `taskkill /T /F` ends the tree at once, so a replica there cannot finish what it holds; its locks lapse and the
 * messages are redelivered to another replica or the next run.
 */
export function signalProcessTree(pid: number, signal: NodeJS.Signals, platform: NodeJS.Platform = process.platform): void {
  if (pid <= 0) return;
  if (platform === 'win32') {
    const { command, args } = windowsTreeKill(pid);
    spawnSync(command, args, { windowsHide: true, stdio: 'ignore' });
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch (error) {
    // ESRCH: the group is already gone.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export function windowsTreeKill(pid: number): { command: string; args: string[] } {
  return { command: 'taskkill', args: ['/pid', String(pid), '/T', '/F'] };
}

/** What a user on this platform should know before trusting Ctrl-C with messages in flight; undefined when nothing. */
export function platformCaveat(platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform !== 'win32') return undefined;
  return 'on Windows, stopping ends the services at once (there is no SIGTERM): what they were handling is redelivered once its lock lapses, nothing is lost; under WSL 2 they stop gracefully';
}
