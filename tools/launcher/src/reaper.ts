// The launcher's reaper: a small process of its own that outlives a launcher killed with SIGKILL (which runs no
// exit handler) and then stops what it had started, so no replica or PostgreSQL is left holding ports and data.
// It learns the process groups over its IPC channel; the channel closing without a "done" is the launcher's death.
import { signalProcessTree } from './process-tree';
import { isAlive } from './run-record';

export interface ReaperState {
  /** Leaders of the replicas' process groups. */
  readonly groups: readonly number[];
  /** The embedded PostgreSQL's postmaster, stopped last: replicas still use it while they stop. */
  readonly postgres?: number;
  readonly graceMs: number;
  /** The launcher stopped everything itself: nothing to do. */
  readonly done?: boolean;
}

async function waitForExit(pids: readonly number[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

export async function reap(state: ReaperState): Promise<void> {
  for (const group of state.groups) signalProcessTree(group, 'SIGTERM');
  await waitForExit(state.groups, state.graceMs);
  for (const group of state.groups) signalProcessTree(group, 'SIGKILL');
  if (state.postgres && isAlive(state.postgres)) {
    // SIGINT is PostgreSQL's fast shutdown: sessions ended, data flushed.
    process.kill(state.postgres, 'SIGINT');
    await waitForExit([state.postgres], state.graceMs);
    if (isAlive(state.postgres)) process.kill(state.postgres, 'SIGKILL');
  }
}

if (require.main === module) {
  let state: ReaperState = { groups: [], graceMs: 10_000 };
  process.on('message', (message: ReaperState) => (state = message));
  process.on('disconnect', () => {
    if (state.done) return process.exit(0);
    void reap(state).finally(() => process.exit(0));
  });
  // Signals meant for the launcher's terminal never stop the reaper.
  for (const signal of ['SIGINT', 'SIGHUP', 'SIGTERM'] as const) process.on(signal, () => undefined);
}
