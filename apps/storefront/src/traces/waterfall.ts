import type { ReceivedSpan } from './otlp-traces';
import type { SpanView } from './trace.schemas';

const NANOS_PER_MS = 1_000_000n;

function milliseconds(nanos: bigint): number {
  // Whole milliseconds exactly, then the rest to the microsecond: a double holds neither epoch nanoseconds exactly.
  return Number(nanos / NANOS_PER_MS) + Number((nanos % NANOS_PER_MS) / 1_000n) / 1_000;
}

/**
 * The spans in waterfall order: depth first from the roots (spans whose parent is not among them), children and
 * roots by start time, each with its offset from the earliest start and its duration.
 */
export function waterfall(spans: readonly ReceivedSpan[]): { start?: string; spans: SpanView[] } {
  if (spans.length === 0) return { spans: [] };
  const byStart = [...spans].sort((a, b) => (a.startUnixNano < b.startUnixNano ? -1 : a.startUnixNano > b.startUnixNano ? 1 : 0));
  const earliest = byStart[0]!.startUnixNano;
  const present = new Set(spans.map((span) => `${span.traceId}/${span.spanId}`));
  const children = new Map<string, ReceivedSpan[]>();
  const roots: ReceivedSpan[] = [];
  for (const span of byStart) {
    const parent = span.parentSpanId ? `${span.traceId}/${span.parentSpanId}` : undefined;
    if (parent && present.has(parent)) {
      const siblings = children.get(parent);
      if (siblings) siblings.push(span);
      else children.set(parent, [span]);
    } else roots.push(span);
  }
  const ordered: SpanView[] = [];
  const visited = new Set<string>();
  const visit = (span: ReceivedSpan, depth: number) => {
    const key = `${span.traceId}/${span.spanId}`;
    if (visited.has(key)) return;
    visited.add(key);
    ordered.push(view(span, depth, earliest));
    for (const child of children.get(key) ?? []) visit(child, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  // A parent cycle (a broken sender) leaves spans unreached from any root: shown at the top level, not lost.
  for (const span of byStart) visit(span, 0);
  return { start: new Date(milliseconds(earliest)).toISOString(), spans: ordered };
}

function view(span: ReceivedSpan, depth: number, earliest: bigint): SpanView {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    service: span.service,
    ...(span.instance ? { instance: span.instance } : {}),
    name: span.name,
    kind: span.kind,
    start: new Date(milliseconds(span.startUnixNano)).toISOString(),
    startUnixNano: span.startUnixNano.toString(),
    offsetMs: milliseconds(span.startUnixNano - earliest),
    durationMs: milliseconds(span.endUnixNano - span.startUnixNano),
    depth,
    status: span.status,
    correlationIds: [...span.correlationIds],
    attributes: { ...span.attributes },
  };
}
