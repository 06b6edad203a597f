// Lab 07: one checkout, one trace. The shop starts as the lab starts it (its spans go to the storefront's own OTLP
// receiver), the lab's curl calls place the order and read the trace API, and the checkpoint holds: one trace, rooted
// at the storefront's request, with spans from all six services and no parent missing.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunningShop } from '@stitch/launcher';
import { serviceNames } from '@stitch/manifest';
import { eventually } from '@stitch/shop-testing';
import { Lab } from './support/lab';
import { launchAsWritten } from './support/npm-start';
import { runBlock } from './support/run-block';

const lab = new Lab('07-trace-one-checkout');
const repositoryRoot = path.resolve(__dirname, '../../..');
const LAB_STOREFRONT = 'http://127.0.0.1:3000';
const SETTLE_TIMEOUT_MS = 90_000;

interface SpanView {
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly service: string;
  readonly name: string;
  readonly kind: string;
}

describe('lab 07 — trace one checkout', () => {
  let tmp: string;
  let shop: RunningShop | undefined;

  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'stitch-lab07-'));
    // The embedded PostgreSQL runs as the OS user `postgres` when the tests run as root.
    await chmod(tmp, 0o755);
  });

  afterEach(async () => {
    await shop?.stop();
    shop = undefined;
    await rm(tmp, { recursive: true, force: true });
  }, 60_000);

  it('one checkout is one trace with spans from all six services, read through the trace API as the lab reads it', async () => {
    const dataDir = path.join(tmp, 'data');
    shop = await launchAsWritten(lab.command('start'), { dataDir });
    const storefrontUrl = shop.storefrontUrl as string;
    const run = async (name: string, prelude?: string) => {
      const script = prelude ? `${lab.command(prelude)}\n${lab.command(name)}` : lab.command(name);
      const { stdout } = await runBlock(script, {
        cwd: repositoryRoot,
        replace: [
          [LAB_STOREFRONT, storefrontUrl],
          ['.data', dataDir],
        ],
      });
      // A prelude's own output (the trace id it echoes) comes first: one line.
      return (prelude ? stdout.split('\n').slice(1).join('\n') : stdout).trim();
    };

    await run('sign-up');
    expect(JSON.parse(await run('place-order'))).toMatchObject({ status: 'pending' });

    // Spans leave each service in batches: the checkpoint holds once the last of them has arrived.
    const expected = lab.expected('checkpoint');
    const checkpoint = await eventually(
      'the checkpoint’s answer',
      () => run('checkpoint'),
      (answer) => answer === expected,
      SETTLE_TIMEOUT_MS,
    );
    expect(checkpoint).toBe(expected);
    expect(JSON.parse(checkpoint)).toEqual({ traces: 1, root: 'storefront: POST /api/orders', services: [...serviceNames].sort() });

    const traceId = await run('trace-id');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const trace = (await (await fetch(`${storefrontUrl}/api/traces/${traceId}`)).json()) as { spans: SpanView[] };
    const byId = new Map(trace.spans.map((span) => [span.spanId, span]));
    expect(trace.spans.filter((span) => span.parentSpanId && !byId.has(span.parentSpanId)).map((span) => span.name)).toEqual([]);
    const consumers = trace.spans.filter((span) => span.kind === 'consumer');
    expect(new Set(consumers.map((span) => span.service))).toEqual(new Set(serviceNames.filter((service) => service !== 'storefront')));
    expect(consumers.filter((span) => byId.get(span.parentSpanId ?? '')?.kind !== 'producer').map((span) => span.name)).toEqual([]);

    // The waterfall the lab draws shows what its reading of it names.
    const waterfall = await run('waterfall', 'trace-id');
    for (const line of [
      /^storefront: POST \/api\/orders \[server\] \d+ ms$/m,
      /^ +storefront: send order-service \[producer\] \d+ ms$/m,
      /^ +storefront: outbox write \[internal\] \d+ ms$/m,
      /^ +storefront: send order-service \[client\] \d+ ms$/m,
      /^ +order-service: process order-service \[consumer\] \d+ ms$/m,
      /^ +inventory-service: pg\.query:WITH stitch_inventory \[client\] \d+ ms$/m,
      /^ +email-service: process email-service \[consumer\] \d+ ms$/m,
    ])
      expect(waterfall).toMatch(line);

    // Every hop, the longest first.
    const hops = (await run('hops', 'trace-id')).split('\n');
    expect(hops.length).toBe(consumers.length);
    expect(hops.filter((hop) => !/^\d+ ms {2}\S+ → \S+ {2}[a-z]+\.[a-z-]+\.v\d+$/.test(hop))).toEqual([]);
    const millis = hops.map((hop) => Number(hop.split(' ')[0]));
    expect(millis).toEqual([...millis].sort((a, b) => b - a));
    expect(hops.some((hop) => hop.endsWith('  storefront → order-service  order.place-order.v1'))).toBe(true);

    // Exercise 3's answer, as its solution lists it, once inventory's last spans have arrived.
    const statements = lab.expected('inventory-statements');
    expect(
      await eventually(
        'inventory’s statements',
        () => run('inventory-statements', 'trace-id'),
        (answer) => answer === statements,
        SETTLE_TIMEOUT_MS,
      ),
    ).toBe(statements);
  }, 600_000);
});
