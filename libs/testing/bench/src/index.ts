export { benchCatalogue, benchEventCatalogue, Ping, Pinged } from './bench-catalogue';
export { compareRuns, comparisonRows, type FigureChange, type RunComparison } from './compare';
export { consumeAsWorker } from './bench-consumer';
export { busSends, type Emit } from './bus-sends';
export { ConsumerProcess, consumerOptions, serveConsumer, type ConsumerTally } from './consumer-process';
export { handledBy, measureLatency, measureThroughput, waitForHandled, type QueueUnderTest, type Throughput } from './measure';
export { BenchFigure, BenchRun, DEFAULT_RESULTS_DIR, describeMachine, readBenchRun, withRatios, writeBenchRun } from './results';
export { formatRatio, percentile, preciseNow, ratio, summarizeLatencies, type LatencySummary } from './stats';
export { printTable } from './table';
