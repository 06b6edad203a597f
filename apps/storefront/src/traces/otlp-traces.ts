import { z } from 'zod';
import { problemsOf, type FieldProblem } from '../http/api-error';

/** OTLP/JSON writes 64-bit integers as decimal strings; numbers are accepted too, as the spec asks of receivers. */
const int64 = z.union([z.string().regex(/^-?\d{1,20}$/, 'a decimal integer'), z.number().int()]);
const unsignedNanos = z.union([z.string().regex(/^\d{1,20}$/, 'nanoseconds since the epoch, as decimal digits'), z.number().int().min(0)]);

/** Nested arrays and key-value lists are kept as they come: the trace view shows scalar attributes only. */
const anyValue = z.object({
  stringValue: z.string().optional(),
  boolValue: z.boolean().optional(),
  intValue: int64.optional(),
  doubleValue: z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]).optional(),
  arrayValue: z.object({ values: z.array(z.unknown()).optional() }).optional(),
  kvlistValue: z.unknown().optional(),
  bytesValue: z.string().optional(),
});
const keyValue = z.object({ key: z.string(), value: anyValue.optional() });
const attributes = z.array(keyValue).optional();

const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
const STATUS_CODES = ['unset', 'ok', 'error'] as const;
export type SpanKind = (typeof SPAN_KINDS)[number];
export type StatusCode = (typeof STATUS_CODES)[number];

/** An OTLP enum: its number (what OTLP/JSON requires), or its proto name (`SPAN_KIND_SERVER`), which some senders write. */
function otlpEnum<T extends string>(names: readonly T[], prefix: string) {
  return z.union([
    z
      .number()
      .int()
      .min(0)
      .max(names.length - 1)
      .transform((index) => names[index] as T),
    z
      .enum(names.map((name) => `${prefix}${name.toUpperCase()}`) as [string, ...string[]])
      .transform((name) => name.slice(prefix.length).toLowerCase() as T),
  ]);
}

const span = z.object({
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string().optional(),
  name: z.string().default(''),
  kind: otlpEnum(SPAN_KINDS, 'SPAN_KIND_').default('unspecified'),
  startTimeUnixNano: unsignedNanos,
  endTimeUnixNano: unsignedNanos,
  attributes,
  status: z.object({ code: otlpEnum(STATUS_CODES, 'STATUS_CODE_').default('unset'), message: z.string().optional() }).optional(),
});

const exportTraceServiceRequest = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource: z.object({ attributes }).optional(),
        scopeSpans: z.array(z.object({ spans: z.array(span).optional() })).optional(),
      }),
    )
    .optional(),
});

/** A span as the trace view keeps it: what a waterfall row needs, and the attributes worth showing. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly service: string;
  readonly instance?: string;
  readonly name: string;
  readonly kind: SpanKind;
  readonly startUnixNano: bigint;
  readonly endUnixNano: bigint;
  readonly status: { readonly code: StatusCode; readonly message?: string };
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  /** The business flows it belongs to (`messaging.message.conversation_id` or `stitch.correlation_id`). */
  readonly correlationIds: readonly string[];
}

export type OtlpTracesReading =
  | { readonly ok: true; readonly spans: ReceivedSpan[]; readonly rejected: number; readonly rejectedBecause?: string }
  | { readonly ok: false; readonly problems: FieldProblem[] };

/** The attributes that name the correlation id of the flow a span belongs to. */
export const CORRELATION_ATTRIBUTES = ['messaging.message.conversation_id', 'stitch.correlation_id'] as const;

/**
 * Attributes kept for the page, by exact name or by prefix ending in a dot: what a span did (messaging, HTTP route
 * and status, database operation) rather than everything, so that what a browser is shown stays small and leaves out
 * what instrumentations may record in full (query strings, statements, headers).
 */
const KEPT_ATTRIBUTES = [
  'messaging.',
  'stitch.',
  'http.request.method',
  'http.response.status_code',
  'http.route',
  'url.path',
  'server.address',
  'server.port',
  'db.system',
  'db.system.name',
  'db.operation.name',
  'db.collection.name',
  'db.namespace',
  'rpc.',
  'error.type',
  'peer.service',
];
const MAX_ATTRIBUTES = 32;
const MAX_TEXT = 256;

function kept(key: string): boolean {
  return KEPT_ATTRIBUTES.some((name) => (name.endsWith('.') ? key.startsWith(name) : key === name));
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

type AnyValue = z.infer<typeof anyValue>;

function scalar(value: AnyValue | undefined): string | number | boolean | undefined {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return clip(value.stringValue);
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) {
    const number = Number(value.intValue);
    return Number.isSafeInteger(number) ? number : String(value.intValue);
  }
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) {
    const items = (value.arrayValue.values ?? []).map((item) => scalar(anyValue.safeParse(item).data));
    return clip(items.map((item) => (item === undefined ? '…' : String(item))).join(', '));
  }
  return undefined;
}

function attributeMap(list: z.infer<typeof attributes>): Map<string, AnyValue | undefined> {
  return new Map((list ?? []).map(({ key, value }) => [key, value]));
}

const HEX_ID = /^[0-9a-fA-F]+$/;
const ALL_ZERO = /^0+$/;

/** Ids are hex in OTLP/JSON; base64 (protobuf's JSON mapping), which some senders write, is read too. */
function hexId(text: string | undefined, bytes: number): string | undefined {
  if (text === undefined || text === '') return undefined;
  const hex = text.length === bytes * 2 && HEX_ID.test(text) ? text.toLowerCase() : Buffer.from(text, 'base64').toString('hex');
  return hex.length === bytes * 2 && !ALL_ZERO.test(hex) ? hex : undefined;
}

/**
 * Reads an OTLP/JSON `ExportTraceServiceRequest` (or the object a protobuf body decodes to). A body of the wrong
 * shape is refused whole, naming each bad field; a span whose ids or times are unusable is rejected alone and
 * counted, as OTLP's partial success reports it.
 */
export function readOtlpTraces(body: unknown): OtlpTracesReading {
  const parsed = exportTraceServiceRequest.safeParse(body);
  if (!parsed.success) return { ok: false, problems: problemsOf(parsed.error) };
  const spans: ReceivedSpan[] = [];
  let rejected = 0;
  let rejectedBecause: string | undefined;
  for (const resourceSpans of parsed.data.resourceSpans ?? []) {
    const resource = attributeMap(resourceSpans.resource?.attributes);
    const service = clip(String(scalar(resource.get('service.name')) ?? 'unknown_service'));
    const instance = scalar(resource.get('service.instance.id'));
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const raw of scopeSpans.spans ?? []) {
        const traceId = hexId(raw.traceId, 16);
        const spanId = hexId(raw.spanId, 8);
        const startUnixNano = BigInt(raw.startTimeUnixNano);
        const endUnixNano = BigInt(raw.endTimeUnixNano);
        if (!traceId || !spanId || endUnixNano < startUnixNano) {
          rejected += 1;
          rejectedBecause ??= !traceId || !spanId ? 'a span id or trace id is not valid' : 'a span ends before it starts';
          continue;
        }
        const all = attributeMap(raw.attributes);
        const shown: Record<string, string | number | boolean> = {};
        for (const [key, value] of all) {
          if (Object.keys(shown).length >= MAX_ATTRIBUTES) break;
          const text = kept(key) ? scalar(value) : undefined;
          if (text !== undefined) shown[key] = text;
        }
        const correlationIds = CORRELATION_ATTRIBUTES.map((key) => scalar(all.get(key)))
          .filter((id): id is string => typeof id === 'string' && id !== '')
          .filter((id, index, ids) => ids.indexOf(id) === index);
        const parentSpanId = hexId(raw.parentSpanId, 8);
        spans.push({
          traceId,
          spanId,
          ...(parentSpanId ? { parentSpanId } : {}),
          service,
          ...(instance !== undefined ? { instance: clip(String(instance)) } : {}),
          name: clip(raw.name),
          kind: raw.kind,
          startUnixNano,
          endUnixNano,
          status: { code: raw.status?.code ?? 'unset', ...(raw.status?.message ? { message: clip(raw.status.message) } : {}) },
          attributes: shown,
          correlationIds,
        });
      }
    }
  }
  return { ok: true, spans, rejected, ...(rejectedBecause ? { rejectedBecause } : {}) };
}
