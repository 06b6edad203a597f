import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** A span as a service exported it (OTLP/JSON: ids in hex, kind as the proto enum: 4 producer, 5 consumer). */
export interface ReceivedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: number;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly links: ReadonlyArray<{ traceId: string; spanId: string }>;
}

/** One data point of a counter, gauge or histogram (its sum and count for a histogram). */
export interface ReceivedPoint {
  readonly service: string;
  readonly metric: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly value: number;
  readonly count?: number;
}

export const SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}

/**
 * An OTLP/HTTP receiver in the test process, for what real service processes export: POST `/v1/traces` and
 * `/v1/metrics` in OTLP/JSON (gzipped or not). A wait is re-checked on every export that arrives, never on a timer.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly points: ReceivedPoint[] = [];
  /** Requests whose body was not OTLP/JSON (protobuf, say): answered, counted, not decoded. */
  undecoded = 0;
  private readonly listeners = new Set<() => void>();

  private constructor(
    private readonly server: http.Server,
    /** The base URL, as `OTEL_EXPORTER_OTLP_ENDPOINT`. */
    readonly url: string,
  ) {}

  static async start(): Promise<OtlpReceiver> {
    const server = http.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const receiver = new OtlpReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => receiver.accept(request, response));
    return receiver;
  }

  /** The standard variables that send a service's traces and metrics here, exported soon after they are recorded. */
  env(): Record<string, string> {
    return {
      OTEL_EXPORTER_OTLP_ENDPOINT: this.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
    };
  }

  /** Resolves with `read`'s first defined answer, asked now and after every export received; rejects after `timeoutMs`. */
  waitFor<T>(what: string, read: () => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = read();
        if (value === undefined) return;
        finish();
        resolve(value);
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what} (${this.spans.length} spans, ${this.points.length} points received)`,
          ),
        );
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const json = (request.headers['content-type'] ?? '').includes('json');
      if (!json) this.undecoded++;
      else if (request.url === '/v1/traces') this.spans.push(...spansOf(JSON.parse(body.toString('utf8'))));
      else if (request.url === '/v1/metrics') this.points.push(...pointsOf(JSON.parse(body.toString('utf8'))));
      response.writeHead(request.method === 'POST' ? 200 : 405, { 'content-type': 'application/json' }).end('{}');
      for (const listener of [...this.listeners]) listener();
    });
  }
}

/** The spans of one trace, and the checks "one checkout, one trace" makes of them. */
export function traceOf(spans: readonly ReceivedSpan[], traceId: string): ReceivedSpan[] {
  return spans.filter((span) => span.traceId === traceId);
}

/** Spans whose parent is not in the trace, and the trace's roots: a whole trace has one root and no orphans. */
export function traceShape(trace: readonly ReceivedSpan[]): { roots: ReceivedSpan[]; orphans: ReceivedSpan[] } {
  const ids = new Set(trace.map((span) => span.spanId));
  return {
    roots: trace.filter((span) => !span.parentSpanId),
    orphans: trace.filter((span) => span.parentSpanId && !ids.has(span.parentSpanId)),
  };
}

function attributesOf(attributes: readonly OtlpAttribute[] | undefined): Record<string, unknown> {
  return Object.fromEntries((attributes ?? []).map(({ key, value }) => [key, scalar(value)]));
}

function scalar(value: Record<string, unknown>): unknown {
  if ('stringValue' in value) return value['stringValue'];
  if ('intValue' in value) return Number(value['intValue']);
  if ('doubleValue' in value) return Number(value['doubleValue']);
  if ('boolValue' in value) return value['boolValue'];
  return value;
}

interface ResourceBlock {
  resource?: { attributes?: OtlpAttribute[] };
}

function serviceOf(block: ResourceBlock): string {
  return String(attributesOf(block.resource?.attributes)['service.name'] ?? 'unknown');
}

function spansOf(request: {
  resourceSpans?: Array<ResourceBlock & { scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }> }>;
}): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap((block) =>
    (block.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        service: serviceOf(block),
        traceId: String(span['traceId']),
        spanId: String(span['spanId']),
        parentSpanId: (span['parentSpanId'] as string | undefined) || undefined,
        name: String(span['name']),
        kind: Number(span['kind']),
        attributes: attributesOf(span['attributes'] as OtlpAttribute[] | undefined),
        links: ((span['links'] as Array<{ traceId: string; spanId: string }> | undefined) ?? []).map(({ traceId, spanId }) => ({
          traceId,
          spanId,
        })),
      })),
    ),
  );
}

type DataPoint = { attributes?: OtlpAttribute[]; asInt?: string | number; asDouble?: number; sum?: number; count?: string | number };

function pointsOf(request: {
  resourceMetrics?: Array<ResourceBlock & { scopeMetrics?: Array<{ metrics?: Array<Record<string, unknown>> }> }>;
}): ReceivedPoint[] {
  return (request.resourceMetrics ?? []).flatMap((block) =>
    (block.scopeMetrics ?? []).flatMap((scope) =>
      (scope.metrics ?? []).flatMap((metric) => {
        const data = (metric['sum'] ?? metric['gauge'] ?? metric['histogram']) as { dataPoints?: DataPoint[] } | undefined;
        return (data?.dataPoints ?? []).map((point) => ({
          service: serviceOf(block),
          metric: String(metric['name']),
          attributes: attributesOf(point.attributes),
          value: Number(point.asInt ?? point.asDouble ?? point.sum ?? 0),
          ...(point.count === undefined ? {} : { count: Number(point.count) }),
        }));
      }),
    ),
  );
}
