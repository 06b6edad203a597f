import type { BenchFigure, BenchRun } from './results';
import { formatRatio, ratio } from './stats';

export interface FigureChange {
  readonly subject: string;
  readonly scenario: string;
  readonly metric: string;
  readonly unit: string;
  readonly before?: number;
  readonly after?: number;
  /** after ÷ before: for a rate above 1 is better, for a latency below 1 is. */
  readonly change: number;
}

export interface RunComparison {
  readonly changes: FigureChange[];
  /** What makes the two runs less comparable: different options, a different machine. */
  readonly caveats: string[];
}

const keyOf = (figure: BenchFigure) => `${figure.subject}\u0000${figure.scenario}\u0000${figure.metric}`;

/** The same figures of two runs of one benchmark side by side, in the later run's order, then those it no longer has. */
export function compareRuns(before: BenchRun, after: BenchRun): RunComparison {
  if (before.benchmark !== after.benchmark) {
    throw new Error(`cannot compare a ${before.benchmark} run with a ${after.benchmark} run`);
  }
  const earlier = new Map(before.figures.map((figure) => [keyOf(figure), figure]));
  const later = new Set(after.figures.map(keyOf));
  const changes: FigureChange[] = [
    ...after.figures.map((figure) => {
      const was = earlier.get(keyOf(figure));
      return { ...pick(figure), before: was?.value, after: figure.value, change: ratio(figure.value, was?.value ?? NaN) };
    }),
    ...before.figures
      .filter((figure) => !later.has(keyOf(figure)))
      .map((figure) => ({ ...pick(figure), before: figure.value, change: NaN })),
  ];
  const caveats: string[] = [];
  const options = new Set([...Object.keys(before.options), ...Object.keys(after.options)]);
  for (const option of options) {
    if (before.options[option] !== after.options[option]) {
      caveats.push(`option ${option}: ${String(before.options[option] ?? '–')} then ${String(after.options[option] ?? '–')}`);
    }
  }
  for (const field of ['node', 'cpus', 'cpuModel'] as const) {
    if (before.machine[field] !== after.machine[field])
      caveats.push(`machine ${field}: ${before.machine[field]} then ${after.machine[field]}`);
  }
  return { changes, caveats };
}

/** A comparison as table rows: subject, scenario, metric, before, after, after ÷ before. */
export function comparisonRows(comparison: RunComparison): string[][] {
  const show = (value: number | undefined, unit: string) =>
    value === undefined ? '–' : `${value.toLocaleString('en', { maximumFractionDigits: unit === 'ms' || unit === 'µs' ? 2 : 0 })} ${unit}`;
  return comparison.changes.map((change) => [
    change.subject,
    change.scenario,
    change.metric,
    show(change.before, change.unit),
    show(change.after, change.unit),
    formatRatio(change.change),
  ]);
}

function pick(figure: BenchFigure) {
  return { subject: figure.subject, scenario: figure.scenario, metric: figure.metric, unit: figure.unit };
}
