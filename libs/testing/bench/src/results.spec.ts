import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BenchRun, describeMachine, readBenchRun, withRatios, writeBenchRun, type BenchFigure } from './results';

const figure = (subject: string, scenario: string, metric: string, value: number): BenchFigure => ({
  subject,
  scenario,
  metric,
  unit: metric === 'handled' ? 'msg/s' : 'ms',
  value,
});

function run(figures: BenchFigure[]): BenchRun {
  return {
    format: 'stitch-bench/1',
    benchmark: 'peers',
    startedAt: '2026-12-06T05:00:00.000Z',
    finishedAt: '2026-12-06T05:03:00.000Z',
    machine: describeMachine(),
    options: { quick: true, messages: 5_000 },
    baseline: 'stitch-local',
    figures,
    notes: ['RabbitMQ: durable queue, transient messages'],
  };
}

describe('withRatios', () => {
  it("divides each figure by the baseline's same scenario and metric, the baseline's own by itself", () => {
    const figures = withRatios(
      [
        figure('stitch-local', '1 consumer', 'handled', 10_000),
        figure('stitch-local', '1 consumer', 'p99', 2),
        figure('bullmq', '1 consumer', 'handled', 5_000),
        figure('bullmq', '1 consumer', 'p99', 3),
        figure('bullmq', '4 consumers', 'handled', 7_000),
      ],
      'stitch-local',
    );
    expect(figures.map((one) => one.ratio)).toEqual([1, 1, 0.5, 1.5, undefined]);
  });

  it('leaves figures without a ratio when the baseline measured zero or nothing', () => {
    const [, peer] = withRatios([figure('stitch-local', 'x', 'handled', 0), figure('bullmq', 'x', 'handled', 5)], 'stitch-local');
    expect(peer?.ratio).toBeUndefined();
    const [, other] = withRatios([figure('stitch-local', 'x', 'p99', NaN), figure('bullmq', 'x', 'p99', 5)], 'stitch-local');
    expect(other?.ratio).toBeUndefined();
  });
});

describe('benchmark run files', () => {
  let folder: string;
  beforeEach(() => (folder = mkdtempSync(path.join(os.tmpdir(), 'bench-results-'))));
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('writes a run that reads back the same', () => {
    const written = run(withRatios([figure('stitch-local', 'x', 'handled', 4), figure('bullmq', 'x', 'handled', 2)], 'stitch-local'));
    const file = writeBenchRun(written, path.join(folder, 'nested', 'run.json'));
    expect(readBenchRun(file)).toEqual(written);
  });

  it('names the default file after the start time and the benchmark, under .data/bench', () => {
    const cwd = process.cwd();
    process.chdir(folder);
    try {
      const file = writeBenchRun(run([]));
      expect(path.relative(folder, file)).toBe(path.join('.data', 'bench', '2026-12-06T05-00-00-000Z-peers.json'));
      expect(JSON.parse(readFileSync(file, 'utf8')).benchmark).toBe('peers');
    } finally {
      process.chdir(cwd);
    }
  });

  it('keeps a figure that could not be measured out of the figures, as a note', () => {
    const file = writeBenchRun(
      run([figure('bullmq', 'x', 'p99', NaN), figure('bullmq', 'x', 'handled', 5)]),
      path.join(folder, 'run.json'),
    );
    const read = readBenchRun(file);
    expect(read.figures.map((one) => one.metric)).toEqual(['handled']);
    expect(read.notes).toContain('not measured: bullmq, x, p99');
  });

  it('refuses to write a run that does not fit the schema', () => {
    expect(() => writeBenchRun({ ...run([]), startedAt: 'yesterday' }, path.join(folder, 'bad.json'))).toThrow();
  });

  it('names the file and the field when a file is not a run', () => {
    const file = path.join(folder, 'other.json');
    writeFileSync(file, JSON.stringify({ ...run([figure('bullmq', 'x', 'handled', 1)]), figures: [{ subject: 'bullmq' }] }));
    expect(() => readBenchRun(file)).toThrow(`${file} is not a benchmark run`);
    expect(() => readBenchRun(file)).toThrow(/figures/);
  });
});
