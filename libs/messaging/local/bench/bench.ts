/**
 * `npm run bench`: the embedded transport measured through the real bus and consumer, next to a bare loop of
 * SQLite's own writes and reads on the same machine (the floor for this design). Prints a table.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import {
  type BenchFigure,
  cpuMsOf,
  describeMachine,
  measureLatency,
  measureThroughput,
  Ping,
  preciseNow,
  writeBenchRun,
} from '@stitch/bench-testing';
import { openLocalQueue } from './local-queue';

const { values: options } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const quick = options.quick;
const THROUGHPUT_MESSAGES = quick ? 5_000 : 20_000;
const PACED_SECONDS = quick ? 3 : 10;
const PACED_RATE = 1_000;
const IDLE_SECONDS = quick ? 3 : 10;
const SUBJECT = 'stitch-local';
const folder = mkdtempSync(path.join(os.tmpdir(), 'stitch-bench-'));

type Row = { scenario: string; figure: string; value: string };
const rows: Row[] = [];
const figures: BenchFigure[] = [];
const record = (scenario: string, figure: string, value: string, ...measured: Omit<BenchFigure, 'subject' | 'scenario'>[]) => {
  rows.push({ scenario, figure, value });
  for (const one of measured) figures.push({ subject: SUBJECT, scenario, ...one });
  console.log(`  ${scenario} | ${figure}: ${value}`);
};
const thousands = (value: number) => Math.round(value).toLocaleString('en');
const consumerProcesses = (consumers: number) => `${consumers} consumer process${consumers > 1 ? 'es' : ''}`;

function runFolder(name: string): string {
  const dir = path.join(folder, name);
  mkdirSync(dir);
  return dir;
}

async function throughput(consumers: number): Promise<void> {
  const scenario = `throughput, ${consumerProcesses(consumers)}`;
  const queue = await openLocalQueue(runFolder(`throughput-${consumers}`), consumers, 32);
  const result = await measureThroughput(queue, THROUGHPUT_MESSAGES);
  await queue.close();
  record(scenario, 'sent/s (bus, batches of 100)', thousands(result.sentPerS), { metric: 'sent', unit: 'msg/s', value: result.sentPerS });
  record(scenario, 'handled/s (send start to last handled)', thousands(result.handledPerS), {
    metric: 'handled',
    unit: 'msg/s',
    value: result.handledPerS,
    parts: result.spread,
  });
  record(scenario, 'spread over consumers', result.spread.join(' / '));
}

async function pacedLatency(consumers: number): Promise<void> {
  const scenario = `latency at ${PACED_RATE}/s, ${consumerProcesses(consumers)}`;
  const queue = await openLocalQueue(runFolder(`latency-${consumers}`), consumers, 16);
  const latency = await measureLatency(queue, PACED_RATE, PACED_SECONDS);
  await queue.close();
  record(
    scenario,
    'send→handler p50 / p99 / max (ms)',
    [latency.p50, latency.p99, latency.max].map((ms) => ms.toFixed(2)).join(' / '),
    { metric: 'send→handler p50', unit: 'ms', value: latency.p50 },
    { metric: 'send→handler p99', unit: 'ms', value: latency.p99 },
    { metric: 'send→handler max', unit: 'ms', value: latency.max },
  );
}

async function idleCpu(): Promise<void> {
  const queue = await openLocalQueue(runFolder('idle'), 4, 32);
  const workers = queue.consumers;
  await sleep(1_000);
  const before = workers.map((w) => cpuMsOf(w.pid));
  await sleep(IDLE_SECONDS * 1_000);
  const used = workers.map((w, i) => cpuMsOf(w.pid) - (before[i] ?? 0));
  const total = used.reduce((a, b) => a + b, 0);
  record(
    '4 idle consumer processes',
    `CPU over ${IDLE_SECONDS} s (ms, all four)`,
    `${total.toFixed(0)} (${((total / (IDLE_SECONDS * 1_000)) * 100).toFixed(2)} % of one core)`,
    { metric: `CPU over ${IDLE_SECONDS} s`, unit: 'ms', value: total, parts: used },
  );
  await queue.close();
}

/** SQLite alone, same pragmas: what any design on this file must pay at least. */
function storageFloor(): void {
  const db = new DatabaseSync(path.join(folder, 'floor.db'));
  db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;');
  db.exec('CREATE TABLE m (seq INTEGER PRIMARY KEY, address TEXT, body TEXT, visible_at INTEGER, lock TEXT)');
  db.exec('CREATE INDEX m_ready ON m(address, visible_at)');
  const body = JSON.stringify({ id: crypto.randomUUID(), type: Ping.type, data: { n: 1, sentAt: 1 } }).padEnd(330, ' ');
  const insert = db.prepare('INSERT INTO m (address, body, visible_at) VALUES (?, ?, 0)');
  const claim = db.prepare(
    "UPDATE m SET visible_at = ?, lock = 'x' WHERE seq IN (SELECT seq FROM m WHERE address = 'q' AND visible_at <= ? ORDER BY visible_at, seq LIMIT 32) RETURNING seq, body",
  );
  const remove = db.prepare('DELETE FROM m WHERE seq = ?');

  const n = THROUGHPUT_MESSAGES;
  const scenario = 'floor: bare SQLite';
  let t = preciseNow();
  for (let i = 0; i < n; i++) insert.run('q', body);
  const singleInserts = n / ((preciseNow() - t) / 1_000);
  record(scenario, 'single-row insert transactions/s', thousands(singleInserts), {
    metric: 'single-row inserts',
    unit: 'tx/s',
    value: singleInserts,
  });

  db.exec('DELETE FROM m');
  t = preciseNow();
  for (let i = 0; i < n; i += 100) {
    db.exec('BEGIN IMMEDIATE');
    for (let j = 0; j < 100; j++) insert.run('q', body);
    db.exec('COMMIT');
  }
  const inserted = preciseNow() - t;
  t = preciseNow();
  let taken = 0;
  for (;;) {
    const now = Date.now();
    const claimed = claim.all(now + 30_000, now) as { seq: number }[];
    if (claimed.length === 0) break;
    db.exec('BEGIN IMMEDIATE');
    for (const row of claimed) remove.run(row.seq);
    db.exec('COMMIT');
    taken += claimed.length;
  }
  const consumed = preciseNow() - t;
  const insertedPerS = n / (inserted / 1_000);
  const consumedPerS = taken / (consumed / 1_000);
  const perMessageUs = ((inserted + consumed) / n) * 1_000;
  record(scenario, 'inserted/s (batches of 100)', thousands(insertedPerS), {
    metric: 'inserted, batches of 100',
    unit: 'rows/s',
    value: insertedPerS,
  });
  record(scenario, 'claimed + deleted/s (batches of 32)', thousands(consumedPerS), {
    metric: 'claimed + deleted, batches of 32',
    unit: 'rows/s',
    value: consumedPerS,
  });
  record(scenario, 'send + claim + delete per message (µs)', perMessageUs.toFixed(1), {
    metric: 'send + claim + delete per message',
    unit: 'µs',
    value: perMessageUs,
  });
  db.close();
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const cpu = os.cpus();
  console.log(
    `Stitch embedded transport benchmark — node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${os.platform()} ${os.release()}`,
  );
  console.log(`messages per throughput run: ${THROUGHPUT_MESSAGES}${quick ? ' (quick)' : ''}\n`);
  storageFloor();
  await throughput(1);
  await throughput(4);
  await pacedLatency(1);
  await pacedLatency(4);
  await idleCpu();

  const width = Math.max(...rows.map((r) => r.scenario.length));
  const figureWidth = Math.max(...rows.map((r) => r.figure.length));
  console.log(`\n${'scenario'.padEnd(width)} | ${'figure'.padEnd(figureWidth)} | value`);
  console.log(`${'-'.repeat(width)}-|-${'-'.repeat(figureWidth)}-|------`);
  for (const row of rows) console.log(`${row.scenario.padEnd(width)} | ${row.figure.padEnd(figureWidth)} | ${row.value}`);

  const file = writeBenchRun({
    format: 'stitch-bench/1',
    benchmark: 'local-transport',
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: describeMachine(),
    options: {
      quick,
      throughputMessages: THROUGHPUT_MESSAGES,
      pacedRate: PACED_RATE,
      pacedSeconds: PACED_SECONDS,
      idleSeconds: IDLE_SECONDS,
    },
    figures,
    notes: [],
  });
  console.log(`\nfigures written to ${path.relative(process.cwd(), file)}`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(folder, { recursive: true, force: true }));
