import { SpanKind } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { ServiceTracer } from '../../test/support/service-tracer';
import { decodeOtlpTracesProtobuf, encodeOtlpTracesResponse, UndecodableProtobufError } from './otlp-protobuf';
import { readOtlpTraces, type ReceivedSpan } from './otlp-traces';

const T0 = Date.UTC(2026, 11, 6, 9, 30, 0);

/** A checkout as the SDK records it in two services: the storefront's request and send, the order service's handling. */
async function checkoutSpans(): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const storefront = new ServiceTracer('storefront', exporter);
  const orders = new ServiceTracer('order-service', exporter);
  const request = storefront.span({
    name: 'POST /api/orders',
    kind: SpanKind.SERVER,
    startMs: T0,
    durationMs: 40,
    attributes: { 'http.request.method': 'POST', 'http.route': '/api/orders', 'http.request.header.authorization': 'Bearer secret' },
  });
  const send = storefront.span({
    name: 'send order.place-order.v1',
    kind: SpanKind.PRODUCER,
    parent: request,
    startMs: T0 + 5,
    durationMs: 3.25,
    attributes: { 'messaging.message.conversation_id': 'checkout-1', 'messaging.system': 'stitch', 'messaging.batch.message_count': 1 },
  });
  orders.span({
    name: 'process order.place-order.v1',
    kind: SpanKind.CONSUMER,
    parent: send,
    startMs: T0 + 20,
    durationMs: 15,
    attributes: { 'stitch.correlation_id': 'checkout-1', 'db.query.text': 'INSERT INTO orders VALUES (…)' },
    error: 'stock reservation failed',
  });
  await Promise.all([storefront.flush(), orders.flush()]);
  return exporter.getFinishedSpans();
}

function bySpanName(spans: readonly ReceivedSpan[]): Record<string, ReceivedSpan> {
  return Object.fromEntries(spans.map((span) => [span.name, span]));
}

describe('reading OTLP traces', () => {
  let spans: ReadableSpan[];

  beforeAll(async () => {
    spans = await checkoutSpans();
  });

  const encodings: [string, () => unknown][] = [
    [
      'OTLP/JSON, as the SDK’s JSON exporter writes it',
      () => JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString()),
    ],
    [
      'OTLP protobuf, as the SDK’s protobuf exporter writes it',
      () => decodeOtlpTracesProtobuf(ProtobufTraceSerializer.serializeRequest(spans)!),
    ],
  ];

  it.each(encodings)('reads %s: services, parents, kinds, times, status and the correlation id', (_encoding, body) => {
    const reading = readOtlpTraces(body());
    if (!reading.ok) throw new Error(JSON.stringify(reading.problems));
    expect(reading.rejected).toBe(0);
    const read = bySpanName(reading.spans);
    const [request, send, process] = ['POST /api/orders', 'send order.place-order.v1', 'process order.place-order.v1'].map(
      (name) => read[name]!,
    );
    const original = Object.fromEntries(spans.map((span) => [span.name, span.spanContext()]));

    expect(request).toMatchObject({
      traceId: original['POST /api/orders']!.traceId,
      spanId: original['POST /api/orders']!.spanId,
      service: 'storefront',
      instance: 'storefront-1',
      kind: 'server',
      startUnixNano: BigInt(T0) * 1_000_000n,
      endUnixNano: BigInt(T0 + 40) * 1_000_000n,
      status: { code: 'unset' },
      correlationIds: [],
    });
    expect(request!.parentSpanId).toBeUndefined();
    // Only the attributes worth showing: never a header or a statement.
    expect(request!.attributes).toEqual({ 'http.request.method': 'POST', 'http.route': '/api/orders' });

    expect(send).toMatchObject({ parentSpanId: request!.spanId, kind: 'producer', correlationIds: ['checkout-1'] });
    expect(send!.endUnixNano - send!.startUnixNano).toBe(3_250_000n);
    expect(send!.attributes).toEqual({
      'messaging.message.conversation_id': 'checkout-1',
      'messaging.system': 'stitch',
      'messaging.batch.message_count': 1,
    });

    expect(process).toMatchObject({
      traceId: request!.traceId,
      parentSpanId: send!.spanId,
      service: 'order-service',
      kind: 'consumer',
      status: { code: 'error', message: 'stock reservation failed' },
      correlationIds: ['checkout-1'],
      attributes: { 'stitch.correlation_id': 'checkout-1' },
    });
  });

  it('reads both encodings of the same export alike', () => {
    const [json, protobuf] = encodings.map(([, body]) => readOtlpTraces(body()));
    expect(protobuf).toEqual(json);
  });

  it('refuses a body of the wrong shape, naming the field', () => {
    expect(
      readOtlpTraces({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'ab', spanId: 'cd', startTimeUnixNano: 'soon' }] }] }] }),
    ).toEqual({
      ok: false,
      problems: [
        { path: 'resourceSpans.0.scopeSpans.0.spans.0.startTimeUnixNano', message: expect.stringContaining('nanoseconds since the epoch') },
        { path: 'resourceSpans.0.scopeSpans.0.spans.0.endTimeUnixNano', message: expect.any(String) },
      ],
    });
    expect(readOtlpTraces({ resourceSpans: 'all of them' })).toMatchObject({ ok: false, problems: [{ path: 'resourceSpans' }] });
  });

  it('reads ids written in base64 (protobuf’s JSON mapping) or in upper-case hex', () => {
    const body = JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString());
    const [first, second] = body.resourceSpans[0].scopeSpans[0].spans;
    const { traceId, spanId } = first as { traceId: string; spanId: string };
    first.traceId = Buffer.from(traceId, 'hex').toString('base64');
    first.spanId = spanId.toUpperCase();
    second.spanId = Buffer.from(second.spanId as string, 'hex')
      .toString('base64')
      .slice(1);
    const reading = readOtlpTraces(body);
    expect(reading).toMatchObject({ ok: true, rejected: 1 });
    expect(reading.ok && reading.spans[0]).toMatchObject({ traceId, spanId });
  });

  it('rejects alone, and counts, a span whose ids are not ids or that ends before it starts', () => {
    const body = JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString());
    const [first, second] = body.resourceSpans[0].scopeSpans[0].spans;
    first.traceId = '00000000000000000000000000000000';
    second.endTimeUnixNano = '1';
    const reading = readOtlpTraces(body);
    expect(reading).toMatchObject({ ok: true, rejected: 2, rejectedBecause: 'a span id or trace id is not valid' });
    expect(reading.ok && reading.spans.map((span) => span.name)).toEqual(['process order.place-order.v1']);
  });

  it('refuses bytes that are not a protobuf export, saying so', () => {
    const bytes = ProtobufTraceSerializer.serializeRequest(spans)!;
    expect(() => decodeOtlpTracesProtobuf(bytes.subarray(0, bytes.length - 7))).toThrow(UndecodableProtobufError);
    expect(() => decodeOtlpTracesProtobuf(bytes.subarray(0, bytes.length - 7))).toThrow(
      /^the body is not an OTLP ExportTraceServiceRequest/,
    );
  });

  it('answers in protobuf as the SDK reads an answer: empty, or a partial success', () => {
    expect(ProtobufTraceSerializer.deserializeResponse(encodeOtlpTracesResponse())).toEqual({});
    expect(
      ProtobufTraceSerializer.deserializeResponse(
        encodeOtlpTracesResponse({ rejectedSpans: 2, errorMessage: 'a span ends before it starts' }),
      ),
    ).toMatchObject({ partialSuccess: { rejectedSpans: expect.anything(), errorMessage: 'a span ends before it starts' } });
  });
});
