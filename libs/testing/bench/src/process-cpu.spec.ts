import { spawn } from 'node:child_process';
import { cpuMsOf, descendantsCpuMs } from './process-cpu';

describe('process CPU', () => {
  it('reads the CPU time this process has used, and NaN for a process that does not exist', () => {
    const start = cpuMsOf(process.pid);
    let spin = 0;
    for (const until = Date.now() + 50; Date.now() < until;) spin += 1;

    expect(spin).toBeGreaterThan(0);
    expect(cpuMsOf(process.pid)).toBeGreaterThan(start);
    expect(cpuMsOf(2 ** 22 + 1)).toBeNaN();
  });

  it('sums the CPU time of the descendants whose command matches', async () => {
    // A child that burns CPU for a moment, then waits to be read.
    const child = spawn(process.execPath, [
      '-e',
      'const t = Date.now() + 300; while (Date.now() < t); setInterval(() => {}, 1000); console.log("done")',
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
