// One checkout, one trace: the whole shop as `npm start` runs it exports its spans and metrics over OTLP/JSON to a
// receiver in this process, and the checkout's spans from all six services form one trace, joined at every hop
// by the trace context its messages carry. On the embedded transport, on AWS (SQS + EventBridge) against moto, and on
// Service Bus against the fake broker.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { PlaceOrder, shopCatalogue } from '@stitch/contracts';
import { serviceBusEntities } from '@stitch/messaging-azure-service-bus';
import { FakeServiceBusServer, provisionFakeShopNamespace } from '@stitch/messaging-azure-service-bus/testing';
import { serviceNames } from '@stitch/manifest';
import { launchShop, type RunningShop } from '@stitch/launcher';
import {
  deleteShopTopology,
  OtlpReceiver,
  provisionShopTopology,
  SPAN_KIND,
  StorefrontClient,
  traceOf,
  traceShape,
  type ReceivedSpan,
} from '@stitch/shop-testing';

const APPROVED_CARD = '4242424242424242';
const SETTLE_TIMEOUT_MS = 90_000;
/** The services a confirmed checkout passes through: all of them. */
const CHECKOUT_SERVICES = [...serviceNames].sort();

describe('telemetry, end to end', () => {
  let tmp: string;
  let shop: RunningShop | undefined;
  let receiver: OtlpReceiver;

  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'stitch-otel-'));
    // The embedded PostgreSQL runs as the OS user `postgres` when the tests run as root.
    await chmod(tmp, 0o755);
    receiver = await OtlpReceiver.start();
  });

  afterEach(async () => {
    await shop?.stop();
    shop = undefined;
    await receiver.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it('one checkout is one trace across the six services, on the embedded transport', async () => {
    shop = await launchShop({ dataDir: path.join(tmp, 'data'), ports: 'free', env: receiver.env(), readyTimeoutMs: 180_000 });
    await expectOneCheckoutOneTrace(shop, receiver, 'stitch_embedded');
  });

  const awsEndpoint = process.env.E2E_AWS_ENDPOINT_URL;
  const awsRun = awsEndpoint
    ? 'one checkout is one trace on the AWS transport (SQS + EventBridge) at E2E_AWS_ENDPOINT_URL'
    : 'one checkout is one trace on the AWS transport (E2E_AWS_ENDPOINT_URL, an AWS API emulator such as moto_server, is not set)';
  (awsEndpoint ? it : it.skip)(awsRun, async () => {
    const settings = { endpoint: awsEndpoint as string, region: process.env.AWS_REGION ?? 'us-east-1' };
    const prefix = await provisionShopTopology(settings);
    try {
      shop = await launchShop({
        dataDir: path.join(tmp, 'data'),
        ports: 'free',
        readyTimeoutMs: 180_000,
        env: {
          ...receiver.env(),
          MESSAGING_TRANSPORT: 'aws',
          AWS_ENDPOINT_URL: settings.endpoint,
          AWS_REGION: settings.region,
          STITCH_PREFIX: prefix,
          STITCH_SHOP_ID: prefix,
        },
      });
      await expectOneCheckoutOneTrace(shop, receiver, 'aws_sqs');
    } finally {
      await shop?.stop();
      shop = undefined;
      await deleteShopTopology(settings, prefix);
    }
  });

  // The services build the SDK's client from a connection string; preloaded into each of them, the fake's hook makes
  // that client the fake broker's, so they run on Service Bus exactly as they do in Azure, composition included.
  it('one checkout is one trace on the Service Bus transport, against the fake broker', async () => {
    const server = await FakeServiceBusServer.start();
    try {
      const { env } = await provisionFakeShopNamespace(server, serviceBusEntities(shopCatalogue.topology()));
      shop = await launchShop({
        dataDir: path.join(tmp, 'data'),
        ports: 'free',
        readyTimeoutMs: 180_000,
        env: { ...receiver.env(), ...env },
      });
      await expectOneCheckoutOneTrace(shop, receiver, 'servicebus');
    } finally {
      await shop?.stop();
      shop = undefined;
      await server.close();
    }
  });
});

async function expectOneCheckoutOneTrace(shop: RunningShop, receiver: OtlpReceiver, system: string): Promise<void> {
  const storefront = new StorefrontClient(shop.storefrontUrl ?? '');
  const [product] = (await storefront.products()).filter((candidate) => candidate.available > 1);
  if (!product) throw new Error('the catalogue has no product in stock to order');
  const userId = await storefront.signUp(`traced-${randomUUID()}@example.com`, 'Traced Customer');
  const orderId = await storefront.placeOrder(userId, [{ sku: product.sku, quantity: 1 }], APPROVED_CARD);
  expect((await storefront.finalOrder(orderId, SETTLE_TIMEOUT_MS)).status).toBe('confirmed');

  // The checkout's trace is the one its PlaceOrder was sent in; it is whole once every service's spans are in and
  // every span's parent has arrived (a child is exported before its parent ends).
  const trace = await receiver.waitFor(
    `the checkout's trace, with spans from ${CHECKOUT_SERVICES.join(', ')} and no parent missing`,
    () => {
      const placed = receiver.spans.find(
        (span) => span.kind === SPAN_KIND.producer && span.attributes['stitch.message.type'] === PlaceOrder.type,
      );
      if (!placed) return undefined;
      const spans = traceOf(receiver.spans, placed.traceId);
      const services = new Set(spans.map((span) => span.service));
      const consumers = new Set(spans.filter((span) => span.kind === SPAN_KIND.consumer).map((span) => span.service));
      const whole =
        CHECKOUT_SERVICES.every((service) => services.has(service)) &&
        CHECKOUT_SERVICES.filter((service) => service !== 'storefront').every((service) => consumers.has(service)) &&
        traceShape(spans).orphans.length === 0;
      return whole ? spans : undefined;
    },
    SETTLE_TIMEOUT_MS,
  );

  expect([...new Set(trace.map((span) => span.service))].sort()).toEqual(CHECKOUT_SERVICES);
  const { roots, orphans } = traceShape(trace);
  expect(orphans.map(label)).toEqual([]);
  // The root is the storefront's HTTP request that placed the order, with its route.
  expect(roots.map((root) => [root.service, root.kind, root.attributes['http.route']])).toEqual([
    ['storefront', SPAN_KIND.server, '/api/orders'],
  ]);
  // No span per Express layer or pooled connection: Nest's spans name what ran, the queries' spans what they did.
  expect(trace.filter((span) => /^(middleware|request handler|router) - |^pg(-pool)?\.connect$/.test(span.name)).map(label)).toEqual([]);

  const byId = new Map(trace.map((span) => [span.spanId, span]));
  // The storefront asks inventory for the order's prices with fetch(): the call and its answer are in the trace.
  const priceLookup = trace.find((span) => span.service === 'inventory-service' && span.kind === SPAN_KIND.server);
  const priceCall = byId.get(priceLookup?.parentSpanId ?? '');
  expect([priceLookup?.name, priceCall?.service, priceCall?.kind]).toEqual(['GET /products', 'storefront', SPAN_KIND.client]);
  const producers = trace.filter((span) => span.kind === SPAN_KIND.producer);
  const consumers = trace.filter((span) => span.kind === SPAN_KIND.consumer);
  expect(producers.length).toBeGreaterThanOrEqual(5);
  expect(consumers.length).toBeGreaterThanOrEqual(5);
  for (const consumer of consumers) {
    const parent = byId.get(consumer.parentSpanId as string);
    expect({ consumer: label(consumer), parent: parent && parent.kind }).toEqual({ consumer: label(consumer), parent: SPAN_KIND.producer });
    expect(consumer.attributes).toMatchObject({
      'messaging.system': system,
      'messaging.operation.type': 'process',
      'messaging.message.id': parent?.attributes['messaging.message.id'],
      'messaging.message.conversation_id': parent?.attributes['messaging.message.conversation_id'],
    });
    expect(consumer.name).toBe(`process ${String(consumer.attributes['messaging.destination.name'])}`);
  }
  for (const producer of producers) {
    expect(producer.attributes).toMatchObject({ 'messaging.system': system, 'messaging.operation.type': 'send' });
    expect(producer.name).toBe(`send ${String(producer.attributes['messaging.destination.name'])}`);
  }
  // Each message went through its service's outbox: written under the producer span, sent by the relay in a span
  // of its own, and the handler's database work nested under the consumer span.
  expect(trace.some((span) => span.name === 'outbox write' && byId.get(span.parentSpanId as string)?.kind === SPAN_KIND.producer)).toBe(
    true,
  );
  expect(trace.some((span) => span.kind === SPAN_KIND.client && span.attributes['messaging.operation.type'] === 'send')).toBe(true);
  const underConsumer = (span: ReceivedSpan): boolean => {
    for (let parent = byId.get(span.parentSpanId ?? ''); parent; parent = byId.get(parent.parentSpanId ?? '')) {
      if (parent.kind === SPAN_KIND.consumer) return true;
    }
    return false;
  };
  const isQuery = (span: ReceivedSpan) =>
    span.kind === SPAN_KIND.client && (span.attributes['db.system'] === 'postgresql' || span.attributes['db.system.name'] === 'postgresql');
  expect(trace.some((span) => isQuery(span) && underConsumer(span))).toBe(true);

  // Metrics: what each service handled, and how long it took, by message type.
  await receiver.waitFor(
    "the handled counter and process duration of PlaceOrder from the order service, an outbox send delay and the order service's queue depth",
    () => {
      const of = (metric: string) => receiver.points.filter((point) => point.metric === metric);
      const handled = of('stitch.messages.handled').some(
        (point) => point.service === 'order-service' && point.attributes['stitch.message.type'] === PlaceOrder.type && point.value >= 1,
      );
      const duration = of('messaging.process.duration').some((point) => point.service === 'order-service' && (point.count ?? 0) >= 1);
      const delay = of('stitch.outbox.send_delay').some((point) => point.service === 'storefront' && (point.count ?? 0) >= 1);
      // Only the embedded transport tells a queue's depth with the rights a service has.
      const depth =
        system !== 'stitch_embedded' ||
        of('stitch.queue.depth').some(
          (point) => point.service === 'order-service' && point.attributes['messaging.destination.name'] === 'order-service',
        );
      return handled && duration && delay && depth ? true : undefined;
    },
    30_000,
  );
}

function label(span: ReceivedSpan): string {
  return `${span.service}: ${span.name} (${span.spanId}, parent ${span.parentSpanId ?? 'none'})`;
}
