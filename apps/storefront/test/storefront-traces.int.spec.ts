import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { INestApplication } from '@nestjs/common';
import { SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpHttpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemorySpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace';
import { shopCatalogue } from '@stitch/contracts';
import { InMemoryTransport } from '@stitch/messaging-core/testing';
import { startTestPostgres, type TestPostgres } from '@stitch/persistence/testing';
import type { SpanView } from '../src/traces/trace.schemas';
import { ServiceTracer } from './support/service-tracer';
import { StubServices } from './support/stub-services';
import { restoreProcessEnv, startTestStorefront } from './support/test-storefront';

const operatorToken = `operator-${randomUUID()}`;
let stubs: StubServices;
let postgres: TestPostgres;

/** A storefront with these settings over the int specs' own (test/support/test-storefront.ts). */
function startStorefront(env: Record<string, string | undefined> = {}) {
  return startTestStorefront({
    stubs,
    databaseUrl: postgres.url,
    operatorToken,
    transport: new InMemoryTransport(shopCatalogue.topology()),
    env,
  });
}

beforeAll(async () => {
  [stubs, postgres] = await Promise.all([StubServices.start(), startTestPostgres()]);
});

afterAll(async () => {
  await stubs?.close();
  await postgres?.stop();
  restoreProcessEnv();
});

/**
 * A checkout across three services, each exporting through its own SDK exporter as a service of the shop does:
 * the storefront's request and send, the order service's handling and its send, the inventory service's handling.
 */
async function exportCheckout(correlationId: string, exporterFor: () => SpanExporter): Promise<string> {
  const tracers = ['storefront', 'order-service', 'inventory-service'].map((service) => new ServiceTracer(service, exporterFor()));
  const [storefront, orders, inventory] = tracers as [ServiceTracer, ServiceTracer, ServiceTracer];
  const t0 = Date.now() - 1_000;
  const conversation = { 'messaging.message.conversation_id': correlationId };
  const request = storefront.span({ name: 'POST /api/orders', kind: SpanKind.SERVER, startMs: t0, durationMs: 12 });
  const placeOrder = storefront.span({
    name: 'send order.place-order.v1',
    kind: SpanKind.PRODUCER,
    parent: request,
    startMs: t0 + 4,
    durationMs: 2,
    attributes: { ...conversation, 'messaging.destination.name': 'order-service' },
  });
  const handle = orders.span({
    name: 'process order.place-order.v1',
    kind: SpanKind.CONSUMER,
    parent: placeOrder,
    startMs: t0 + 30,
    durationMs: 25.5,
    attributes: conversation,
  });
  const reserve = orders.span({
    name: 'send inventory.reserve-stock.v1',
    kind: SpanKind.PRODUCER,
    parent: handle,
    startMs: t0 + 40,
    durationMs: 1,
    attributes: conversation,
  });
  inventory.span({
    name: 'process inventory.reserve-stock.v1',
    kind: SpanKind.CONSUMER,
    parent: reserve,
    startMs: t0 + 70,
    durationMs: 8,
    attributes: { 'stitch.correlation_id': correlationId },
    error: 'out of stock',
  });
  // Resolves only once every exporter's POST was answered 2xx: a refused export rejects it.
  await Promise.all(tracers.map((tracer) => tracer.flush()));
  await Promise.all(tracers.map((tracer) => tracer.shutdown()));
  return request.traceId;
}

interface CorrelationTraces {
  correlationId: string;
  traceIds: string[];
  start?: string;
  spans: SpanView[];
}

describe('the OTLP receiver and the trace API', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    // A limit of 2 POSTs a minute, and a proxy on loopback trusted: neither may stop spans from this host.
    ({ app, base } = await startStorefront({ RATE_LIMIT_POSTS_PER_MINUTE: '2', TRUST_PROXY: 'loopback' }));
  });

  afterAll(async () => {
    await app?.close();
  });

  const exporters: [string, (url: string) => SpanExporter][] = [
    ['OTLP/HTTP JSON', (url) => new OtlpHttpJsonExporter({ url })],
    ['OTLP/HTTP protobuf', (url) => new OtlpHttpProtobufExporter({ url })],
  ];

  it.each(exporters)(
    'keeps what the SDK’s %s exporter sends, and answers a checkout’s spans in waterfall order',
    async (_name, exporter) => {
      const correlationId = `checkout-${randomUUID()}`;
      const traceId = await exportCheckout(correlationId, () => exporter(`${base}/otlp/v1/traces`));

      const response = await fetch(`${base}/api/traces?correlationId=${correlationId}`);
      expect(response.status).toBe(200);
      const answer = (await response.json()) as CorrelationTraces;
      expect(answer.traceIds).toEqual([traceId]);
      expect(answer.spans.map(({ service, name, kind, depth }) => `${'  '.repeat(depth)}${service}: ${name} (${kind})`)).toEqual([
        'storefront: POST /api/orders (server)',
        '  storefront: send order.place-order.v1 (producer)',
        '    order-service: process order.place-order.v1 (consumer)',
        '      order-service: send inventory.reserve-stock.v1 (producer)',
        '        inventory-service: process inventory.reserve-stock.v1 (consumer)',
      ]);
      expect(answer.spans.map(({ offsetMs, durationMs }) => [offsetMs, durationMs])).toEqual([
        [0, 12],
        [4, 2],
        [30, 25.5],
        [40, 1],
        [70, 8],
      ]);
      const [root, send, , , failed] = answer.spans;
      expect(send).toMatchObject({
        traceId,
        parentSpanId: root!.spanId,
        instance: 'storefront-1',
        correlationIds: [correlationId],
        attributes: { 'messaging.message.conversation_id': correlationId, 'messaging.destination.name': 'order-service' },
        status: { code: 'unset' },
      });
      expect(failed).toMatchObject({ status: { code: 'error', message: 'out of stock' }, correlationIds: [correlationId] });
      expect(answer.start).toBe(root!.start);

      const byTrace = await fetch(`${base}/api/traces/${traceId}`);
      expect(byTrace.status).toBe(200);
      expect(await byTrace.json()).toEqual({ traceId, start: answer.start, spans: answer.spans });
    },
  );

  it('takes gzipped bodies, as an exporter with compression sends them', async () => {
    const correlationId = `checkout-${randomUUID()}`;
    const memory = new InMemorySpanExporter();
    const tracer = new ServiceTracer('order-service', memory);
    tracer.span({
      name: 'process order.place-order.v1',
      startMs: Date.now(),
      durationMs: 3,
      attributes: { 'stitch.correlation_id': correlationId },
    });
    await tracer.flush();
    const response = await fetch(`${base}/otlp/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
      body: gzipSync(ProtobufTraceSerializer.serializeRequest(memory.getFinishedSpans())!),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-protobuf');
    expect(((await (await fetch(`${base}/api/traces?correlationId=${correlationId}`)).json()) as CorrelationTraces).spans).toHaveLength(1);
  });

  it('reports a partial success for spans it cannot keep, in OTLP/JSON', async () => {
    const memory = new InMemorySpanExporter();
    const tracer = new ServiceTracer('order-service', memory);
    tracer.span({ name: 'ok', startMs: Date.now(), durationMs: 1 });
    tracer.span({ name: 'broken', startMs: Date.now(), durationMs: 1 });
    await tracer.flush();
    const body = JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(memory.getFinishedSpans())!).toString());
    body.resourceSpans[0].scopeSpans[0].spans[1].spanId = 'not-an-id';
    const response = await fetch(`${base}/otlp/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ partialSuccess: { rejectedSpans: '1', errorMessage: 'a span id or trace id is not valid' } });
  });

  it.each([
    [
      'JSON that is not JSON',
      'application/json',
      '{"resourceSpans": [',
      400,
      'the body is not valid JSON (an OTLP ExportTraceServiceRequest is expected)',
    ],
    [
      'JSON of the wrong shape',
      'application/json',
      '{"resourceSpans": {"spans": 1}}',
      400,
      'resourceSpans: Invalid input: expected array, received object',
    ],
    [
      'bytes that are not protobuf',
      'application/x-protobuf',
      Buffer.from([0x0a, 0xff, 0xff, 0x01]),
      400,
      'the body is not an OTLP ExportTraceServiceRequest',
    ],
    ['another content type', 'text/plain', 'resourceSpans', 415, 'OTLP/HTTP bodies are application/json or application/x-protobuf'],
  ])('refuses %s, saying what is wrong', async (_case, contentType, body, status, problem) => {
    const response = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': contentType }, body });
    expect(response.status).toBe(status);
    const answer = (await response.json()) as { message: string; errors: { path: string; message: string }[] };
    expect(answer.message).toBe('Invalid request');
    expect(answer.errors.map(({ path, message }) => (path ? `${path}: ${message}` : message)).join('; ')).toContain(problem);
  });

  it('refuses a body over its limit with 413, before reading it all', async () => {
    const response = await fetch(`${base}/otlp/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: Buffer.alloc(4 * 1_048_576 + 1),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      message: 'Invalid request',
      errors: [{ path: '', message: 'the body is larger than the 4194304 bytes allowed' }],
    });
  });

  it('answers metrics and logs 200 and keeps nothing of them, in the encoding they came in', async () => {
    for (const signal of ['metrics', 'logs']) {
      const json = await fetch(`${base}/otlp/v1/${signal}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"resourceMetrics":[]}',
      });
      expect([json.status, await json.json()]).toEqual([200, {}]);
      const protobuf = await fetch(`${base}/otlp/v1/${signal}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: Buffer.alloc(3),
      });
      expect([protobuf.status, protobuf.headers.get('content-type'), (await protobuf.arrayBuffer()).byteLength]).toEqual([
        200,
        'application/x-protobuf',
        0,
      ]);
    }
  });

  it('is not rate limited: spans from this host go on being taken past the POST limit, which still holds for the API', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const signUp = () => fetch(`${base}/api/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect([(await signUp()).status, (await signUp()).status, (await signUp()).status]).toEqual([400, 400, 429]);
  });

  it('takes spans from another host only with the operator token, and never from another site’s page', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
    // Through the trusted proxy on loopback, the client is the forwarded address: not this host.
    const remote = await post({ 'x-forwarded-for': '203.0.113.9' });
    expect(remote.status).toBe(403);
    expect(await remote.json()).toEqual({
      message: 'Spans are accepted from this host only, or with the operator token (Authorization: Bearer <OPERATOR_TOKEN>)',
    });
    expect((await post({ 'x-forwarded-for': '203.0.113.9', authorization: 'Bearer not-the-operator-token' })).status).toBe(403);
    expect((await post({ 'x-forwarded-for': '203.0.113.9', authorization: `Bearer ${operatorToken}` })).status).toBe(200);
    expect((await post({ origin: 'https://elsewhere.example' })).status).toBe(403);
  });

  it('answers the API’s 400 for what is not an id, 404 for a trace it does not keep, and nothing yet for a new checkout', async () => {
    expect((await fetch(`${base}/api/traces/not-a-trace-id`)).status).toBe(400);
    expect((await fetch(`${base}/api/traces`)).status).toBe(400);
    const unknown = await fetch(`${base}/api/traces/${'ab'.repeat(16)}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ message: `No span of trace ${'ab'.repeat(16)} is kept: not received yet, or dropped` });
    expect(await (await fetch(`${base}/api/traces?correlationId=checkout-nobody`)).json()).toEqual({
      correlationId: 'checkout-nobody',
      traceIds: [],
      spans: [],
    });
  });
});

describe('with NODE_ENV=production and no TRACE_VIEW_ENABLED', () => {
  it('takes no span and answers no trace: 404, naming the setting', async () => {
    const { app, base } = await startStorefront({ NODE_ENV: 'production' });
    try {
      const off = { message: 'The trace view is off: set TRACE_VIEW_ENABLED=true (it is off by default with NODE_ENV=production)' };
      const post = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect([post.status, await post.json()]).toEqual([404, off]);
      const read = await fetch(`${base}/api/traces?correlationId=checkout-1`);
      expect([read.status, await read.json()]).toMatchObject([404, off]);
    } finally {
      await app.close();
    }
  });
});
