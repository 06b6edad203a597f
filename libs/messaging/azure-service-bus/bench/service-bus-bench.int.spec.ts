import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { benchCatalogue, readBenchRun } from '@stitch/bench-testing';
import { serviceBusEntities } from '../src';
import { FakeServiceBusServer, fakeServiceBusProcessEnv } from '../testing/fake';

const repoRoot = path.resolve(__dirname, '../../../..');

function runBench(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    ['--require', '@swc-node/register', path.join(__dirname, 'service-bus-bench.ts'), '--quick', '--messages', '50', '--seconds', '1'],
    { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

// The bench measures a real broker; the fake one (the SDK's client swapped in each process) proves its code paths run.
describe('npm run bench -- --azure', () => {
  it('says in one line that it skipped, without SERVICEBUS_CONNECTION_STRING', async () => {
    const { SERVICEBUS_CONNECTION_STRING: _unset, ...env } = process.env;
    const { code, output } = await runBench(env);

    expect(code).toBe(0);
    expect(output.trim().split('\n')).toEqual([
      'Service Bus transport versus the bare SDK: skipped: SERVICEBUS_CONNECTION_STRING is not set (a namespace or the emulator, with a queue named worker)',
    ]);
  });

  it('runs the transport and the bare SDK through the same scenarios and writes their ratios', async () => {
    const server = await FakeServiceBusServer.start();
    try {
      server.createNamespace('bench', serviceBusEntities(benchCatalogue.topology()));
      const { code, output } = await runBench({ ...process.env, ...fakeServiceBusProcessEnv(server.url, 'bench') });
      expect({ code, output }).toMatchObject({ code: 0 });

      const file = /figures written to (\S+)/.exec(output)?.[1] ?? '';
      const run = readBenchRun(path.resolve(repoRoot, file));
      rmSync(path.resolve(repoRoot, file));
      expect(run.benchmark).toBe('service-bus');
      expect(run.figures.map(({ subject, metric }) => `${subject} ${metric}`).sort()).toEqual([
        'raw-sdk handled',
        'raw-sdk send→handler p50',
        'raw-sdk send→handler p99',
        'stitch-azure handled',
        'stitch-azure send→handler p50',
        'stitch-azure send→handler p99',
      ]);
      expect(run.figures.filter((figure) => figure.subject === 'stitch-azure').every((figure) => Number.isFinite(figure.ratio))).toBe(true);
    } finally {
      await server.close();
    }
  }, 120_000);
});
