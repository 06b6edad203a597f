/**
 * `npm run bench -- --compare <earlier.json> <later.json>`: two runs of one benchmark (files under .data/bench/) side
 * by side, each figure with its change.
 */
import { compareRuns, comparisonRows } from './compare';
import { readBenchRun, type BenchRun } from './results';
import { printTable } from './table';

const files = process.argv.slice(2).filter((arg) => arg !== '--compare');
if (files.length !== 2) {
  console.error('usage: npm run bench -- --compare <earlier.json> <later.json>');
  process.exit(2);
}
try {
  const [before, after] = files.map(readBenchRun) as [BenchRun, BenchRun];
  const comparison = compareRuns(before, after);
  console.log(
    `${before.benchmark}: ${before.startedAt} (load ${before.machine.loadAverage[0]}) → ${after.startedAt} (load ${after.machine.loadAverage[0]})\n`,
  );
  printTable(['subject', 'scenario', 'metric', 'before', 'after', 'after ÷ before'], comparisonRows(comparison));
  for (const caveat of comparison.caveats) console.log(`- ${caveat}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
