import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** One measured number: what was measured (`subject`), under which load (`scenario`), which figure, in which unit. */
export const BenchFigure = z.strictObject({
  subject: z.string().min(1),
  scenario: z.string().min(1),
  metric: z.string().min(1),
  unit: z.string().min(1),
  value: z.number(),
  /** The same figure per consumer process, where the work was spread over several. */
  parts: z.array(z.number()).optional(),
  /** `value` over the baseline subject's same figure in the same run (only in a run that names a baseline). */
  ratio: z.number().optional(),
});
export type BenchFigure = z.infer<typeof BenchFigure>;

export const BenchRun = z.strictObject({
  format: z.literal('stitch-bench/1'),
  benchmark: z.enum(['local-transport', 'peers', 'checkout', 'aws', 'service-bus']),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  machine: z.strictObject({
    node: z.string(),
    cpus: z.number().int().positive(),
    cpuModel: z.string(),
    platform: z.string(),
    release: z.string(),
    /** 1, 5 and 15 minute load averages when the run ended: how busy the machine was. */
    loadAverage: z.tuple([z.number(), z.number(), z.number()]),
  }),
  /** The command-line options the run used, so two runs compare like with like. */
  options: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** The subject every `ratio` is relative to. */
  baseline: z.string().optional(),
  figures: z.array(BenchFigure),
  notes: z.array(z.string()).default([]),
});
export type BenchRun = z.infer<typeof BenchRun>;

export function describeMachine(): BenchRun['machine'] {
  const cpus = os.cpus();
  const [one = 0, five = 0, fifteen = 0] = os.loadavg();
  return {
    node: process.version,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    platform: os.platform(),
    release: os.release(),
    loadAverage: [one, five, fifteen],
  };
}

/** Fills each figure's `ratio` from the baseline subject's figure with the same scenario and metric. */
export function withRatios(figures: readonly BenchFigure[], baseline: string): BenchFigure[] {
  const key = (figure: BenchFigure) => `${figure.scenario}\u0000${figure.metric}`;
  const base = new Map(figures.filter((figure) => figure.subject === baseline).map((figure) => [key(figure), figure.value]));
  return figures.map((figure) => {
    const of = base.get(key(figure));
    return of === undefined || !Number.isFinite(of) || of === 0 || !Number.isFinite(figure.value)
      ? figure
      : { ...figure, ratio: figure.value / of };
  });
}

/** Where a run's figures go unless `--json` names a file: a git-ignored folder of the repository. */
export const DEFAULT_RESULTS_DIR = path.join('.data', 'bench');

/**
 * Validates and writes a run; the default file name sorts by time and says which benchmark it was. A figure that
 * could not be measured (NaN: no latencies, say) has no place in JSON: it becomes a note.
 */
export function writeBenchRun(run: BenchRun, file?: string): string {
  const unmeasured = run.figures.filter((figure) => !Number.isFinite(figure.value));
  const parsed = BenchRun.parse({
    ...run,
    figures: run.figures.filter((figure) => Number.isFinite(figure.value)),
    notes: [...run.notes, ...unmeasured.map((figure) => `not measured: ${figure.subject}, ${figure.scenario}, ${figure.metric}`)],
  });
  const target = path.resolve(file ?? path.join(DEFAULT_RESULTS_DIR, `${parsed.startedAt.replace(/[:.]/g, '-')}-${parsed.benchmark}.json`));
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(parsed, null, 2)}\n`);
  return target;
}

export function readBenchRun(file: string): BenchRun {
  const parsed = BenchRun.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a benchmark run: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
