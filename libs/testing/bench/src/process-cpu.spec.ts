import { spawn } from 'node:child_process';
import { cpuMsOf, descendantsCpuMs } from './process-cpu';

describe('process CPU', () => {
  it('reads the CPU time this process has used, and NaN for a process that does not exist', () => {
    const start = cpuMsOf(process.pid);
    // Spins until it has used 50 ms of CPU (not wall-clock time, which a busy machine stretches).
    const cpuUsedMs = () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1_000;
    };
    let spin = 0;
    for (const until = cpuUsedMs() + 50; cpuUsedMs() < until;) spin += 1;

    expect(spin).toBeGreaterThan(0);
    expect(cpuMsOf(process.pid)).toBeGreaterThan(start);
    expect(cpuMsOf(2 ** 22 + 1)).toBeNaN();
  });

  it('sums the CPU time of the descendants whose command matches', async () => {
    // A child that burns 300 ms of CPU (however long a busy machine makes that take), then waits to be read.
    const child = spawn(process.execPath, [
      '-e',
      'const used = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }; const t = used() + 300; while (used() < t); setInterval(() => {}, 1000); console.log("done")',
    ]);
    try {
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      expect(descendantsCpuMs(process.pid, (command) => command.includes('setInterval'))).toBeGreaterThanOrEqual(150);
      expect(descendantsCpuMs(process.pid, (command) => command.includes('no such command'))).toBe(0);
    } finally {
      child.kill();
    }
  });
});
