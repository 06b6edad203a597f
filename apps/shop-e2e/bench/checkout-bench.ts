// The checkout flow: the whole shop started by the launcher (every service a real process on the embedded transport
// and the durable embedded PostgreSQL), orders placed through the storefront's API, each timed from its POST until
// the browser-facing notification stream says it is confirmed. Three phases on one running shop:
//
//   1. one at a time: each order placed once the one before is confirmed; with each message's hop (the sender's
//      commit to the receiver's handler) read from the shop's own traces;
//   2. a fixed rate (--rate, default 50 orders/s, for --duration s);
//   3. the highest sustained rate: rising rates until p99 reaches 250 ms or an order does not finish.
//
//   npm run bench -- --rate 50 --duration 10 --alone 40
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import {
  cpuMsOf,
  descendantsCpuMs,
  describeMachine,
  printTable,
  summarizeLatencies,
  writeBenchRun,
  type BenchFigure,
  type LatencySummary,
} from '@stitch/bench-testing';
import { launchShop } from '@stitch/launcher';
import { dataOwners, JsonEventStream, sleep, StorefrontClient } from '@stitch/shop-testing';
import type { TracedSpan } from './hop-times';
import { traceFigures } from './trace-figures';

interface OrderNews {
  readonly kind: string;
  readonly orderId?: string;
  readonly status?: string;
}

const isOrderNews = (value: unknown): value is OrderNews => typeof (value as OrderNews | null)?.kind === 'string';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '50' },
    duration: { type: 'string', default: '10' },
    alone: { type: 'string', default: '40' },
    users: { type: 'string', default: '20' },
    quick: { type: 'boolean', default: false },
  },
});
const rate = Number(values.rate);
const durationS = values.quick ? 4 : Number(values.duration);
const aloneCount = values.quick ? 15 : Number(values.alone);
const userCount = Number(values.users);
for (const [name, value] of Object.entries({ rate, duration: durationS, alone: aloneCount, users: userCount })) {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
}
/** The sustained-rate search: its steps, how long each lasts, and the p99 a step must stay under. */
const SEARCH_RATES = [10, 15, 20, 25, 30, 40, 50, 75, 100, 125, 150, 200, 250, 300];
const SEARCH_STEP_S = values.quick ? 3 : 6;
const SUSTAINED_P99_MS = 250;
/** How long a search step's orders may take to finish after its last POST: longer means the rate is not sustained. */
const STEP_FINISH_WITHIN_MS = 15_000;
/** How long any other order may take: one that takes longer is reported as not finished, and fails the run. */
const FINISH_WITHIN_MS = 120_000;

/** Orders placed and how each ended, from the customers' notification streams. */
class Orders {
  private readonly placed = new Map<string, number>();
  private readonly finished = new Map<string, { at: number; status: string }>();
  private readonly waiting = new Map<string, () => void>();

  record(news: OrderNews): void {
    if (news.kind !== 'order-status' || !news.orderId || (news.status !== 'confirmed' && news.status !== 'cancelled')) return;
    if (this.finished.has(news.orderId)) return;
    this.finished.set(news.orderId, { at: performance.now(), status: news.status });
    this.waiting.get(news.orderId)?.();
  }

  placedAt(orderId: string, at: number): void {
    this.placed.set(orderId, at);
  }

  /** Resolves when the order has finished, or rejects after `timeoutMs`. */
  finish(orderId: string, timeoutMs: number): Promise<void> {
    if (this.finished.has(orderId)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`order ${orderId} did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
      this.waiting.set(orderId, () => {
        clearTimeout(timer);
        this.waiting.delete(orderId);
        resolve();
      });
    });
  }

  /** Waits for every order of `ids` to finish, up to `timeoutMs`; then how they went. */
  async outcome(
    ids: readonly string[],
    timeoutMs: number,
  ): Promise<{ latency: LatencySummary; confirmed: number; cancelled: number; unfinished: number; lastDone: number }> {
    await Promise.allSettled(ids.map((id) => this.finish(id, timeoutMs)));
    const ended = ids.flatMap((id) => {
      const end = this.finished.get(id);
      return end ? [{ ...end, latency: end.at - (this.placed.get(id) as number) }] : [];
    });
    const confirmed = ended.filter((order) => order.status === 'confirmed');
    return {
      latency: summarizeLatencies(confirmed.map((order) => order.latency)),
      confirmed: confirmed.length,
      cancelled: ended.length - confirmed.length,
      unfinished: ids.length - ended.length,
      lastDone: Math.max(...ended.map((order) => order.at)),
    };
  }
}

/** So that no phase runs out: every product gets far more stock than any run can sell. */
async function restock(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  url.pathname = `/${dataOwners['inventory-service']}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query('UPDATE product SET available = 1000000');
  } finally {
    await client.end();
  }
}

/** The spans of each checkout, once two reads a few seconds apart (longer than the SDK's export delay) agree. */
async function checkoutSpans(storefrontUrl: string, correlationIds: readonly string[]): Promise<TracedSpan[][]> {
  const read = () =>
    Promise.all(
      correlationIds.map(async (id) => {
        const response = await fetch(`${storefrontUrl}/api/traces?correlationId=${encodeURIComponent(id)}`);
        if (!response.ok) throw new Error(`GET /api/traces answered ${response.status}: ${await response.text()}`);
        return ((await response.json()) as { spans: TracedSpan[] }).spans;
      }),
    );
  let last = await read();
  for (let attempt = 0; attempt < 10; attempt++) {
    await sleep(6_000);
    const now = await read();
    if (now.every((spans, index) => spans.length === last[index]?.length)) return now;
    last = now;
  }
  return last;
}

async function main(): Promise<void> {
  const startedIso = new Date().toISOString();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'stitch-bench-'));
  await chmod(tmp, 0o755);
  const startedAt = Date.now();
  const shop = await launchShop({
    dataDir: path.join(tmp, 'data'),
    ports: 'free',
    env: { LOG_LEVEL: 'warn', RATE_LIMIT_POSTS_PER_MINUTE: '1000000', TRACE_VIEW_ENABLED: 'true' },
    readyTimeoutMs: 180_000,
  });
  const startupS = (Date.now() - startedAt) / 1000;
  const storefrontUrl = shop.storefrontUrl ?? '';
  const storefront = new StorefrontClient(storefrontUrl);
  const orders = new Orders();
  const streams: JsonEventStream<OrderNews>[] = [];
  const figures: BenchFigure[] = [];
  const figure = (scenario: string, metric: string, unit: string, value: number) =>
    figures.push({ subject: 'shop-embedded', scenario, metric, unit, value });
  const rows: string[][] = [];
  try {
    await restock(shop.databaseUrl);
    const users: string[] = [];
    for (let index = 0; index < userCount; index++) {
      const userId = await storefront.signUp(`bench-${index}-${randomUUID()}@example.com`, `Bench ${index}`);
      users.push(userId);
      // Each customer's browser: the storefront relays only a session's own notifications.
      const news = await JsonEventStream.open(`${storefrontUrl}/api/notifications`, isOrderNews, 15_000, {
        cookie: storefront.sessionCookie(userId),
      });
      news.onRecord((record) => orders.record(record));
      streams.push(news);
    }
    const user = (index: number) => users[index % users.length] as string;
    const place = async (index: number): Promise<string> => {
      const sentAt = performance.now();
      const orderId = await storefront.placeOrder(user(index), [{ sku: 'TEE-WHT-M', quantity: 1 }]);
      orders.placedAt(orderId, sentAt);
      return orderId;
    };

    // Every service connects and compiles its paths on the first orders; none of them is timed.
    for (let index = 0; index < 5; index++) await orders.finish(await place(index), 60_000);

    // 1. One at a time.
    const alone: string[] = [];
    for (let index = 0; index < aloneCount; index++) {
      const orderId = await place(index);
      alone.push(orderId);
      await orders.finish(orderId, 60_000);
    }
    const aloneOutcome = await orders.outcome(alone, FINISH_WITHIN_MS);
    const correlationIds = await orderCorrelationIds(storefront, users, new Set(alone));
    const timings = traceFigures(await checkoutSpans(storefrontUrl, correlationIds));
    const aloneScenario = `one at a time (${aloneCount} orders)`;
    rows.push(
      [aloneScenario, 'placed → confirmed p50 / p99 / max (ms)', latencies(aloneOutcome.latency)],
      ...timings.rows.map(([name, measured]) => [aloneScenario, name, measured]),
    );
    figure(aloneScenario, 'placed → confirmed p50', 'ms', aloneOutcome.latency.p50);
    figure(aloneScenario, 'placed → confirmed p99', 'ms', aloneOutcome.latency.p99);
    for (const [metric, unit, value] of timings.figures) figure(aloneScenario, metric, unit, value);

    // What each process of the shop spends, in CPU time, on the orders of the fixed rate.
    const cpuNow = () =>
      new Map<string, number>([
        ...shop.processes.map((running): [string, number] => [running.instance, cpuMsOf(running.pid)]),
        ['postgresql', descendantsCpuMs(process.pid, (command) => /^\S*postgres[: ]/.test(command))],
      ]);

    // 2. A fixed rate.
    let next = 0;
    const atRate = async (ordersPerSecond: number, seconds: number, finishWithinMs: number) => {
      const total = Math.round(ordersPerSecond * seconds);
      const start = performance.now();
      const posts: Promise<string>[] = [];
      for (let index = 0; index < total; index++) {
        const wait = start + (index * 1000) / ordersPerSecond - performance.now();
        if (wait > 0) await sleep(wait);
        posts.push(place(next++));
      }
      const ids = await Promise.all(posts);
      const offered = total / ((performance.now() - start) / 1000);
      const outcome = await orders.outcome(ids, finishWithinMs);
      const completed = (outcome.confirmed + outcome.cancelled) / ((outcome.lastDone - start) / 1000);
      return { total, offered, completed, ...outcome };
    };
    const cpuBefore = cpuNow();
    const fixed = await atRate(rate, durationS, FINISH_WITHIN_MS);
    const cpuPerOrder = [...cpuNow()].map(([name, ms]): [string, number] => [name, (ms - (cpuBefore.get(name) ?? NaN)) / fixed.total]);
    const cpuTotal = cpuPerOrder.reduce((sum, [, ms]) => sum + ms, 0);
    const fixedScenario = `${rate} orders/s for ${durationS} s`;
    rows.push(
      [fixedScenario, 'offered / completed orders/s', `${fixed.offered.toFixed(1)} / ${fixed.completed.toFixed(1)}`],
      [fixedScenario, 'confirmed / cancelled / not finished', `${fixed.confirmed} / ${fixed.cancelled} / ${fixed.unfinished}`],
      [fixedScenario, 'placed → confirmed p50 / p99 / max (ms)', latencies(fixed.latency)],
      [fixedScenario, 'CPU per order, all processes (ms)', cpuTotal.toFixed(1)],
      ...cpuPerOrder.map(([name, ms]) => [fixedScenario, `… of which ${name} (ms)`, ms.toFixed(1)]),
    );
    figure(fixedScenario, 'CPU per order', 'ms', cpuTotal);
    for (const [name, ms] of cpuPerOrder) figure(fixedScenario, `CPU per order: ${name}`, 'ms', ms);
    figure(fixedScenario, 'orders completed', 'orders/s', fixed.completed);
    figure(fixedScenario, 'orders not finished', 'orders', fixed.unfinished);
    figure(fixedScenario, 'placed → confirmed p50', 'ms', fixed.latency.p50);
    figure(fixedScenario, 'placed → confirmed p99', 'ms', fixed.latency.p99);

    // 3. The highest rate it sustains.
    let sustained = 0;
    for (const step of SEARCH_RATES) {
      const run = await atRate(step, SEARCH_STEP_S, STEP_FINISH_WITHIN_MS);
      const held = run.unfinished === 0 && run.cancelled === 0 && run.latency.p99 < SUSTAINED_P99_MS && run.offered >= step * 0.95;
      rows.push([
        `${step} orders/s for ${SEARCH_STEP_S} s`,
        'completed orders/s, p50 / p99 (ms)',
        `${run.completed.toFixed(1)}, ${latencies(run.latency)}${held ? '' : ' ✗'}`,
      ]);
      if (!held) break;
      // Each step starts once every order of the one before has finished.
      sustained = step;
    }
    rows.push(['highest sustained rate', `p99 < ${SUSTAINED_P99_MS} ms, every order confirmed (orders/s)`, String(sustained)]);
    figure('sustained', `highest rate with p99 < ${SUSTAINED_P99_MS} ms`, 'orders/s', sustained);

    console.log(
      `\ncheckout flow: one replica per service, durable embedded PostgreSQL, ${os.cpus().length} cores, Node ${process.version}, shop started in ${startupS.toFixed(1)} s\n`,
    );
    printTable(['scenario', 'figure', 'measured'], rows);
    const file = writeBenchRun({
      format: 'stitch-bench/1',
      benchmark: 'checkout',
      startedAt: startedIso,
      finishedAt: new Date().toISOString(),
      machine: describeMachine(),
      options: { rate, duration: durationS, alone: aloneCount, users: userCount, quick: values.quick },
      figures: [{ subject: 'shop-embedded', scenario: 'start', metric: 'shop start', unit: 's', value: startupS }, ...figures],
      notes: [`hop times come from the shop's traces, whose span starts are whole milliseconds`],
    });
    console.log(`\nfigures written to ${path.relative(process.cwd(), file)}`);
    if (fixed.unfinished > 0) process.exitCode = 1;
  } finally {
    await Promise.all(streams.map((news) => news.close()));
    await shop.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

function latencies(summary: LatencySummary): string {
  return `${summary.p50.toFixed(0)} / ${summary.p99.toFixed(0)} / ${summary.max.toFixed(0)}`;
}

/** The checkout (correlation) id of each order of `ids`, from each customer's order list. */
async function orderCorrelationIds(storefront: StorefrontClient, users: readonly string[], ids: ReadonlySet<string>): Promise<string[]> {
  const found: string[] = [];
  for (const userId of users) {
    const response = await fetch(`${storefront.baseUrl}/api/orders`, { headers: { cookie: storefront.sessionCookie(userId) } });
    if (!response.ok) throw new Error(`GET /api/orders answered ${response.status}: ${await response.text()}`);
    const list = (await response.json()) as Array<{ orderId: string; correlationId?: string }>;
    for (const order of list) if (ids.has(order.orderId) && order.correlationId) found.push(order.correlationId);
  }
  return found;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
