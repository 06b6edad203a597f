import { compareRuns, comparisonRows } from './compare';
import type { BenchFigure, BenchRun } from './results';

const machine: BenchRun['machine'] = {
  node: 'v24.21.0',
  cpus: 2,
  cpuModel: 'Xeon',
  platform: 'linux',
  release: '6',
  loadAverage: [1, 1, 1],
};
const handled = (subject: string, value: number): BenchFigure => ({
  subject,
  scenario: '1 consumer',
  metric: 'handled',
  unit: 'msg/s',
  value,
});

function run(figures: BenchFigure[], options: BenchRun['options'] = { messages: 20_000 }): BenchRun {
  return {
    format: 'stitch-bench/1',
    benchmark: 'peers',
    startedAt: '2026-12-06T05:00:00.000Z',
    finishedAt: '2026-12-06T05:03:00.000Z',
    machine,
    options,
    figures,
    notes: [],
  };
}

describe('compareRuns', () => {
  it("pairs each figure with the earlier run's same figure, and keeps the ones either run lacks", () => {
    const { changes, caveats } = compareRuns(
      run([handled('stitch-local', 8_000), handled('bullmq', 2_000)]),
      run([handled('stitch-local', 10_000), handled('nest-rmq', 4_000)]),
    );
    expect(changes.map(({ subject, before, after, change }) => ({ subject, before, after, change }))).toEqual([
      { subject: 'stitch-local', before: 8_000, after: 10_000, change: 1.25 },
      { subject: 'nest-rmq', before: undefined, after: 4_000, change: NaN },
      { subject: 'bullmq', before: 2_000, after: undefined, change: NaN },
    ]);
    expect(caveats).toEqual([]);
  });

  it('names the options and machine fields that differ', () => {
    const later = { ...run([], { messages: 5_000, quick: true }), machine: { ...machine, cpus: 8 } };
    expect(compareRuns(run([]), later).caveats).toEqual([
      'option messages: 20000 then 5000',
      'option quick: – then true',
      'machine cpus: 2 then 8',
    ]);
  });

  it('refuses to compare two different benchmarks', () => {
    expect(() => compareRuns(run([]), { ...run([]), benchmark: 'checkout' })).toThrow('cannot compare a peers run with a checkout run');
  });
});

describe('comparisonRows', () => {
  it('shows each side with its unit and the change as a ratio', () => {
    const rows = comparisonRows(compareRuns(run([handled('stitch-local', 8_000)]), run([handled('stitch-local', 10_000)])));
    expect(rows).toEqual([['stitch-local', '1 consumer', 'handled', '8,000 msg/s', '10,000 msg/s', '1.3×']]);
  });
});
