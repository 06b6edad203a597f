// The checkout flow under load: the whole shop started by the launcher (every service a real process on the
// embedded transport and PostgreSQL), orders placed through the storefront's API at a fixed rate, each timed
// from its POST until the browser-facing notification stream says it is confirmed.
//
//   npm run bench -- --rate 20 --duration 20     (orders/s, seconds of load)
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine, percentile, writeBenchRun, type BenchFigure } from '@stitch/bench-testing';
import { launchShop } from '@stitch/launcher';
import { JsonEventStream, sleep, StorefrontClient, type Product } from '@stitch/shop-testing';

interface OrderNews {
  readonly kind: string;
  readonly orderId?: string;
  readonly status?: string;
}

const isOrderNews = (value: unknown): value is OrderNews => typeof (value as OrderNews | null)?.kind === 'string';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '20' },
    duration: { type: 'string', default: '20' },
    users: { type: 'string', default: '20' },
    quick: { type: 'boolean', default: false },
  },
});
const rate = Number(values.rate);
const durationS = values.quick ? 5 : Number(values.duration);
const userCount = Number(values.users);
for (const [name, value] of Object.entries({ rate, duration: durationS, users: userCount })) {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
}

/** Picks one piece per order from whichever product has the most stock left, so the run uses the whole catalogue. */
function stockPicker(products: readonly Product[], orders: number): () => string {
  const left = new Map(products.map((product) => [product.sku, product.available]));
  const total = [...left.values()].reduce((sum, available) => sum + available, 0);
  if (total < orders) throw new Error(`the catalogue holds ${total} pieces, too few for ${orders} orders; lower --rate or --duration`);
  return () => {
    const [sku, available] = [...left].reduce((best, entry) => (entry[1] > best[1] ? entry : best));
    left.set(sku, available - 1);
    return sku;
  };
}

async function main(): Promise<void> {
  const startedIso = new Date().toISOString();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'stitch-bench-'));
  await chmod(tmp, 0o755);
  const startedAt = Date.now();
  const shop = await launchShop({
    dataDir: path.join(tmp, 'data'),
    ports: 'free',
    env: { LOG_LEVEL: 'warn', RATE_LIMIT_POSTS_PER_MINUTE: '1000000' },
    readyTimeoutMs: 180_000,
  });
  const startupS = (Date.now() - startedAt) / 1000;
  const storefront = new StorefrontClient(shop.storefrontUrl ?? '');
  const placedAt = new Map<string, number>();
  const finishedAt = new Map<string, { at: number; status: string }>();
  // Each customer's browser: the storefront relays only a session's own notifications.
  const streams: JsonEventStream<OrderNews>[] = [];
  try {
    const users: string[] = [];
    for (let index = 0; index < userCount; index++) {
      const userId = await storefront.signUp(`bench-${index}-${randomUUID()}@example.com`, `Bench ${index}`);
      users.push(userId);
      const news = await JsonEventStream.open(`${shop.storefrontUrl}/api/notifications`, isOrderNews, 15_000, {
        cookie: storefront.sessionCookie(userId),
      });
      news.onRecord((record) => {
        if (record.kind !== 'order-status' || !record.orderId || (record.status !== 'confirmed' && record.status !== 'cancelled')) return;
        if (!finishedAt.has(record.orderId)) finishedAt.set(record.orderId, { at: performance.now(), status: record.status });
      });
      streams.push(news);
    }
    const total = Math.round(rate * durationS);
    const nextSku = stockPicker(await storefront.products(), total + 1);

    // One order through the whole flow first, so every service has connected and compiled its paths.
    const warmUp = await storefront.placeOrder(users[0] as string, [{ sku: nextSku(), quantity: 1 }]);
    await storefront.finalOrder(warmUp, 60_000);

    const intervalMs = 1000 / rate;
    const loadStart = performance.now();
    const posts: Promise<void>[] = [];
    for (let index = 0; index < total; index++) {
      const due = loadStart + index * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const sentAt = performance.now();
      const items = [{ sku: nextSku(), quantity: 1 }];
      posts.push(storefront.placeOrder(users[index % users.length] as string, items).then((orderId) => void placedAt.set(orderId, sentAt)));
    }
    await Promise.all(posts);
    const offeredS = (performance.now() - loadStart) / 1000;

    const deadline = Date.now() + 120_000;
    while ([...placedAt.keys()].some((id) => !finishedAt.has(id)) && Date.now() < deadline) await sleep(100);

    const finished = [...placedAt].flatMap(([id, sent]) => {
      const end = finishedAt.get(id);
      return end ? [{ latency: end.at - sent, at: end.at, status: end.status }] : [];
    });
    const confirmed = finished.filter((order) => order.status === 'confirmed');
    const latencies = confirmed.map((order) => order.latency).sort((a, b) => a - b);
    const lastDone = Math.max(...finished.map((order) => order.at));
    const elapsedS = (lastDone - loadStart) / 1000;
    const row = (label: string, value: string) => console.log(`| ${label} | ${value} |`);
    console.log(
      `\ncheckout flow: ${total} orders at ${rate}/s for ${durationS} s, one replica per service, ${os.cpus().length} cores, Node ${process.version}\n`,
    );
    console.log('| figure | measured |\n|---|---|');
    row('shop start (PostgreSQL + 6 services ready)', `${startupS.toFixed(1)} s`);
    row('orders offered', `${total} in ${offeredS.toFixed(1)} s (${(total / offeredS).toFixed(1)}/s)`);
    row(
      'orders confirmed / cancelled / not finished',
      `${confirmed.length} / ${finished.length - confirmed.length} / ${total - finished.length}`,
    );
    row('orders/s completed (first POST to last confirmation)', (finished.length / elapsedS).toFixed(1));
    row(
      'placed → confirmed p50 / p99 / max',
      `${percentile(latencies, 50).toFixed(0)} / ${percentile(latencies, 99).toFixed(0)} / ${percentile(latencies, 100).toFixed(0)} ms`,
    );

    const scenario = `${rate} orders/s for ${durationS} s`;
    const figure = (metric: string, unit: string, value: number): BenchFigure => ({
      subject: 'shop-embedded',
      scenario,
      metric,
      unit,
      value,
    });
    const file = writeBenchRun({
      format: 'stitch-bench/1',
      benchmark: 'checkout',
      startedAt: startedIso,
      finishedAt: new Date().toISOString(),
      machine: describeMachine(),
      options: { rate, duration: durationS, users: userCount, quick: values.quick },
      figures: [
        figure('shop start', 's', startupS),
        figure('orders offered', 'orders', total),
        figure('orders confirmed', 'orders', confirmed.length),
        figure('orders cancelled', 'orders', finished.length - confirmed.length),
        figure('orders not finished', 'orders', total - finished.length),
        figure('orders completed', 'orders/s', finished.length / elapsedS),
        figure('placed → confirmed p50', 'ms', percentile(latencies, 50)),
        figure('placed → confirmed p99', 'ms', percentile(latencies, 99)),
        figure('placed → confirmed max', 'ms', percentile(latencies, 100)),
      ],
      notes: [],
    });
    console.log(`\nfigures written to ${path.relative(process.cwd(), file)}`);
    if (finished.length < total) process.exitCode = 1;
  } finally {
    await Promise.all(streams.map((news) => news.close()));
    await shop.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
