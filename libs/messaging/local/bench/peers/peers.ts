/**
 * `npm run bench -- --peers`: the same command round trip (payload validated with zod, a trivial handler, an
 * acknowledgement) on Stitch's embedded transport, on BullMQ with Redis and on @nestjs/microservices' RabbitMQ
 * transport, each with one and four consumer processes, measured the same way in the same run. Prints each
 * peer's figures as ratios to Stitch's, the durability each runs with, and writes the figures as JSON.
 *
 *   npm run bench -- --peers [--quick] [--messages N] [--seconds S]
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  describeMachine,
  formatRatio,
  measureLatency,
  measureThroughput,
  printTable,
  withRatios,
  writeBenchRun,
  type BenchFigure,
  type QueueUnderTest,
  wholeNumberOptions,
} from '@stitch/bench-testing';
import { openLocalQueue } from '../local-queue';
import { openBullMqQueue } from './bullmq-queue';
import { openRmqQueue } from './rmq-queue';
import { MissingServer, startRabbitMq, startRedis, type RunningServer } from './servers';

const { values } = parseArgs({
  options: {
    peers: { type: 'boolean', default: true },
    quick: { type: 'boolean', default: false },
    messages: { type: 'string' },
    seconds: { type: 'string' },
  },
});
const { messages: MESSAGES, seconds: LATENCY_SECONDS } = wholeNumberOptions({
  messages: Number(values.messages ?? (values.quick ? 5_000 : 20_000)),
  seconds: Number(values.seconds ?? (values.quick ? 3 : 10)),
});
const RATE = 1_000;
const BASELINE = 'stitch-local';

interface Subject {
  readonly id: string;
  readonly label: string;
  /** Opens a fresh queue for one measurement, named `run`, with its consumer processes started. */
  open(run: string, consumers: number, concurrency: number): Promise<QueueUnderTest>;
  durability(): Promise<string>;
}

const STITCH_DURABILITY =
  'Stitch embedded: SQLite in WAL mode with synchronous = NORMAL (libs/messaging/local/src/sqlite.ts): a committed ' +
  'send survives the process crashing; an OS crash or power loss can lose the commits made since the WAL was last ' +
  'synced to disk (at checkpoints), not the file.';

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const folder = mkdtempSync(path.join(os.tmpdir(), 'stitch-bench-peers-'));
  const servers: RunningServer[] = [];
  const skipped: string[] = [];
  try {
    const machine = describeMachine();
    console.log(
      `Stitch beside its peers — Node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}, load ${machine.loadAverage.map((load) => load.toFixed(1)).join(' ')}`,
    );
    console.log(`throughput: ${MESSAGES} messages sent as fast as each client takes them; latency: ${RATE}/s for ${LATENCY_SECONDS} s\n`);

    const subjects: Subject[] = [
      {
        id: BASELINE,
        label: 'Stitch embedded (SQLite)',
        open: (run, consumers, concurrency) => {
          const dir = path.join(folder, 'stitch', run);
          mkdirSync(dir, { recursive: true });
          return openLocalQueue(dir, consumers, concurrency);
        },
        durability: async () => STITCH_DURABILITY,
      },
    ];
    // Both brokers start together: RabbitMQ alone takes several seconds.
    const [redis, rabbit] = await Promise.allSettled([
      startRedis(path.join(folder, 'redis')),
      startRabbitMq(path.join(folder, 'rabbitmq')),
    ]);
    // Ctrl-C ends the process without the finally below; the servers' own exit hook has stopped them by then.
    process.on('exit', () => rmSync(folder, { recursive: true, force: true, maxRetries: 3 }));
    const peers = [
      { started: redis, id: 'bullmq', label: 'BullMQ on Redis', open: openBullMqQueue },
      { started: rabbit, id: 'nest-rmq', label: 'Nest RMQ on RabbitMQ', open: openRmqQueue },
    ];
    // Every server that started is stopped in the end, also when the other failed.
    for (const { started } of peers) if (started.status === 'fulfilled') servers.push(started.value);
    for (const { started, id, label, open } of peers) {
      if (started.status === 'rejected') {
        if (!(started.reason instanceof MissingServer)) throw started.reason;
        skipped.push(started.reason.message);
        console.log(started.reason.message);
        continue;
      }
      const server = started.value;
      subjects.push({ id, label, open: (run, c, n) => open(server.url, run, c, n), durability: () => server.describeDurability() });
    }

    const figures: BenchFigure[] = [];
    const measure = (subject: Subject, scenario: string, metric: string, unit: string, value: number, parts?: number[]) => {
      figures.push({ subject: subject.id, scenario, metric, unit, value, ...(parts ? { parts } : {}) });
      console.log(`  ${subject.label} | ${scenario} | ${metric}: ${value.toFixed(unit === 'ms' ? 2 : 0)} ${unit}`);
    };
    // Subjects take turns in each scenario, so that the machine's changing load falls on all of them alike.
    for (const consumers of [1, 4]) {
      const scenario = `${consumers} consumer process${consumers > 1 ? 'es' : ''}`;
      for (const subject of subjects) {
        const queue = await subject.open(`throughput-${consumers}`, consumers, 32);
        try {
          const result = await measureThroughput(queue, MESSAGES);
          measure(subject, `throughput, ${scenario}`, 'sent', 'msg/s', result.sentPerS);
          measure(subject, `throughput, ${scenario}`, 'handled', 'msg/s', result.handledPerS, result.spread);
        } finally {
          await queue.close();
        }
      }
      for (const subject of subjects) {
        const queue = await subject.open(`latency-${consumers}`, consumers, 16);
        try {
          const latency = await measureLatency(queue, RATE, LATENCY_SECONDS);
          measure(subject, `latency at ${RATE}/s, ${scenario}`, 'send→handler p50', 'ms', latency.p50);
          measure(subject, `latency at ${RATE}/s, ${scenario}`, 'send→handler p99', 'ms', latency.p99);
          measure(subject, `latency at ${RATE}/s, ${scenario}`, 'send→handler max', 'ms', latency.max);
        } finally {
          await queue.close();
        }
      }
    }

    const withRatio = withRatios(figures, BASELINE);
    const find = (subject: string, scenario: string, metric: string) =>
      withRatio.find((figure) => figure.subject === subject && figure.scenario === scenario && figure.metric === metric);
    const rows = [1, 4].flatMap((consumers) => {
      const scenario = `${consumers} consumer process${consumers > 1 ? 'es' : ''}`;
      return subjects.map((subject) => {
        const handled = find(subject.id, `throughput, ${scenario}`, 'handled');
        const latency = (metric: string) => find(subject.id, `latency at ${RATE}/s, ${scenario}`, metric);
        const [p50, p99] = [latency('send→handler p50'), latency('send→handler p99')];
        const ratioOf = (figure?: BenchFigure) => (subject.id === BASELINE ? '1×' : formatRatio(figure?.ratio ?? NaN));
        return [
          subject.label,
          String(consumers),
          Math.round(handled?.value ?? NaN).toLocaleString('en'),
          ratioOf(handled),
          (p50?.value ?? NaN).toFixed(2),
          ratioOf(p50),
          (p99?.value ?? NaN).toFixed(2),
          ratioOf(p99),
        ];
      });
    });
    console.log(
      `\n× Stitch = the figure over Stitch's embedded transport's in this run (handled/s: above 1× is faster; latency: below 1× is faster)\n`,
    );
    printTable(['transport', 'consumers', 'handled/s', '× Stitch', `p50 ms at ${RATE}/s`, '× Stitch', 'p99 ms', '× Stitch'], rows);

    const notes = [...(await Promise.all(subjects.map((subject) => subject.durability()))), ...skipped];
    console.log('\nDurability, as each ran here:');
    for (const note of notes) console.log(`- ${note}`);

    const file = writeBenchRun({
      format: 'stitch-bench/1',
      benchmark: 'peers',
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: describeMachine(),
      options: { quick: values.quick, messages: MESSAGES, latencyRate: RATE, latencySeconds: LATENCY_SECONDS, throughputBatch: 100 },
      baseline: BASELINE,
      figures: withRatio,
      notes,
    });
    console.log(`\nfigures written to ${path.relative(process.cwd(), file)}`);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
