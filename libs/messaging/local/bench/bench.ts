/**
 * `npm run bench`: the embedded transport measured through the real bus and consumer, next to a bare loop of
 * SQLite's own writes and reads on the same machine (the floor for this design). Prints a table.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { MessageBus, type Destination, type OutgoingMessage, type OutgoingDispatcher } from '@stitch/messaging-core';
import { createLocalTransport, type LocalTransport } from '../src';
import { benchCatalogue, Ping, preciseNow } from './bench-catalogue';

const quick = process.argv.includes('--quick');
const THROUGHPUT_MESSAGES = quick ? 5_000 : 20_000;
const PACED_SECONDS = quick ? 3 : 10;
const IDLE_SECONDS = quick ? 3 : 10;
const folder = mkdtempSync(path.join(os.tmpdir(), 'stitch-bench-'));

type Row = { scenario: string; figure: string; value: string };
const rows: Row[] = [];
const record = (scenario: string, figure: string, value: string) => {
  rows.push({ scenario, figure, value });
  console.log(`  ${scenario} | ${figure}: ${value}`);
};

class Worker {
  handled = 0;
  latencies: number[] = [];
  private constructor(private readonly child: ChildProcess) {}

  static async start(file: string, concurrency = 32): Promise<Worker> {
    const child = fork(path.join(__dirname, 'bench-consumer.ts'), [JSON.stringify({ file, concurrency })], {
      execArgv: ['--require', '@swc-node/register'],
    });
    const worker = new Worker(child);
    await new Promise<void>((resolve, reject) => {
      child.on('message', (message: 'ready' | { handled: number; latencies: number[] }) => {
        if (message === 'ready') return resolve();
        worker.handled += message.handled;
        for (const latency of message.latencies) worker.latencies.push(latency);
      });
      child.once('exit', (code) => reject(new Error(`bench consumer exited with ${code}`)));
    });
    return worker;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send('stop');
    await exited;
  }
}

class Collector implements OutgoingDispatcher {
  batch: OutgoingMessage[] = [];
  async dispatch(_destination: Destination, message: OutgoingMessage): Promise<void> {
    this.batch.push(message);
  }
}

async function openTransport(name: string): Promise<{ file: string; transport: LocalTransport }> {
  const file = path.join(folder, name, 'bus.db');
  const transport = createLocalTransport({ topology: benchCatalogue.topology(), file });
  await transport.start();
  return { file, transport };
}

const queue: Destination = { kind: 'queue', name: 'worker' };

async function waitFor(workers: Worker[], total: number, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (workers.reduce((sum, w) => sum + w.handled, 0) < total) {
    if (Date.now() > deadline) throw new Error(`only ${workers.reduce((s, w) => s + w.handled, 0)} of ${total} handled`);
    await sleep(5);
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function throughput(consumers: number): Promise<void> {
  const scenario = `throughput, ${consumers} consumer process${consumers > 1 ? 'es' : ''}`;
  const { file, transport } = await openTransport(`throughput-${consumers}`);
  const workers = await Promise.all(Array.from({ length: consumers }, () => Worker.start(file)));
  const collector = new Collector();
  const bus = new MessageBus({
    catalogue: benchCatalogue,
    service: 'driver',
    dispatcher: collector,
    maxDelayMs: transport.capabilities.maxDelayMs,
  });

  const started = preciseNow();
  for (let sent = 0; sent < THROUGHPUT_MESSAGES; sent += 100) {
    for (let i = 0; i < 100; i++) await bus.send(Ping, { n: sent + i, sentAt: preciseNow() });
    await transport.send(queue, collector.batch);
    collector.batch = [];
    // Let consumers run between batches, as a producer that also does other work would.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const sendSeconds = (preciseNow() - started) / 1_000;
  await waitFor(workers, THROUGHPUT_MESSAGES);
  const seconds = (preciseNow() - started) / 1_000;
  record(scenario, 'sent/s (bus, batches of 100)', Math.round(THROUGHPUT_MESSAGES / sendSeconds).toLocaleString('en'));
  record(scenario, 'handled/s (send start to last handled)', Math.round(THROUGHPUT_MESSAGES / seconds).toLocaleString('en'));
  record(scenario, 'spread over consumers', workers.map((w) => w.handled).join(' / '));
  await Promise.all(workers.map((w) => w.stop()));
  await transport.close();
}

async function pacedLatency(consumers: number): Promise<void> {
  const rate = 1_000;
  const scenario = `latency at ${rate}/s, ${consumers} consumer process${consumers > 1 ? 'es' : ''}`;
  const { file, transport } = await openTransport(`latency-${consumers}`);
  const workers = await Promise.all(Array.from({ length: consumers }, () => Worker.start(file, 16)));
  const bus = new MessageBus({
    catalogue: benchCatalogue,
    service: 'driver',
    dispatcher: { dispatch: (d, m) => transport.send(d, [m]) },
    maxDelayMs: transport.capabilities.maxDelayMs,
  });
  const total = rate * PACED_SECONDS;
  const started = preciseNow();
  let sent = 0;
  // Each message is its own send (its own transaction), as a handler's single command would be.
  while (sent < total) {
    const due = Math.min(total, Math.floor(((preciseNow() - started) / 1_000) * rate));
    while (sent < due) await bus.send(Ping, { n: sent++, sentAt: preciseNow() });
    await sleep(1);
  }
  await waitFor(workers, total);
  const latencies = workers.flatMap((w) => w.latencies);
  record(scenario, 'send→handler p50 / p99 / max (ms)', [50, 99, 100].map((p) => percentile(latencies, p).toFixed(2)).join(' / '));
  await Promise.all(workers.map((w) => w.stop()));
  await transport.close();
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000) / 100;
}

async function idleCpu(): Promise<void> {
  const { file, transport } = await openTransport('idle');
  const workers = await Promise.all(Array.from({ length: 4 }, () => Worker.start(file)));
  await sleep(1_000);
  const before = workers.map((w) => cpuMs(w.pid));
  await sleep(IDLE_SECONDS * 1_000);
  const used = workers.map((w, i) => cpuMs(w.pid) - (before[i] ?? 0));
  const total = used.reduce((a, b) => a + b, 0);
  record(
    '4 idle consumer processes',
    `CPU over ${IDLE_SECONDS} s (ms, all four)`,
    `${total.toFixed(0)} (${((total / (IDLE_SECONDS * 1_000)) * 100).toFixed(2)} % of one core)`,
  );
  await Promise.all(workers.map((w) => w.stop()));
  await transport.close();
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
  let t = preciseNow();
  for (let i = 0; i < n; i++) insert.run('q', body);
  record('floor: bare SQLite', 'single-row insert transactions/s', Math.round(n / ((preciseNow() - t) / 1_000)).toLocaleString('en'));

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
  record('floor: bare SQLite', 'inserted/s (batches of 100)', Math.round(n / (inserted / 1_000)).toLocaleString('en'));
  record('floor: bare SQLite', 'claimed + deleted/s (batches of 32)', Math.round(taken / (consumed / 1_000)).toLocaleString('en'));
  record('floor: bare SQLite', 'send + claim + delete per message (µs)', (((inserted + consumed) / n) * 1_000).toFixed(1));
  db.close();
}

async function main(): Promise<void> {
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
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(folder, { recursive: true, force: true }));
