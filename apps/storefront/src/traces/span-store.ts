import type { ReceivedSpan } from './otlp-traces';

interface TraceEntry {
  readonly spans: Map<string, ReceivedSpan>;
  readonly correlationIds: Set<string>;
}

/**
 * The spans received, in memory, at most `maxSpans` of them: past that the least recently updated traces are
 * dropped whole, so a trace on screen is never shown with holes. Indexed by trace id and by correlation id (a
 * checkout's spans may span several traces). A span received again (an exporter's retry) replaces the first copy.
 */
export class SpanStore {
  /** In order of their last update, oldest first: a Map iterates in insertion order. */
  private readonly traces = new Map<string, TraceEntry>();
  private readonly byCorrelation = new Map<string, Set<string>>();
  private spanCount = 0;

  constructor(readonly maxSpans: number) {}

  get size(): number {
    return this.spanCount;
  }

  /** Keeps the spans; answers how many it refused (those of a single trace larger than the whole store). */
  add(spans: readonly ReceivedSpan[]): { accepted: number; refused: number } {
    const byTrace = new Map<string, ReceivedSpan[]>();
    for (const span of spans) {
      const ofTrace = byTrace.get(span.traceId);
      if (ofTrace) ofTrace.push(span);
      else byTrace.set(span.traceId, [span]);
    }
    let accepted = 0;
    let refused = 0;
    for (const [traceId, received] of byTrace) {
      const entry = this.traces.get(traceId) ?? { spans: new Map<string, ReceivedSpan>(), correlationIds: new Set<string>() };
      this.traces.delete(traceId);
      this.traces.set(traceId, entry);
      for (const span of received) {
        if (!entry.spans.has(span.spanId)) {
          if (entry.spans.size >= this.maxSpans) {
            refused += 1;
            continue;
          }
          this.spanCount += 1;
        }
        entry.spans.set(span.spanId, span);
        accepted += 1;
        for (const correlationId of span.correlationIds) {
          entry.correlationIds.add(correlationId);
          this.byCorrelation.set(correlationId, (this.byCorrelation.get(correlationId) ?? new Set()).add(traceId));
        }
      }
    }
    this.evictBeyondBound();
    return { accepted, refused };
  }

  /** The spans of one trace, or undefined when none were received (or they were dropped). */
  trace(traceId: string): ReceivedSpan[] | undefined {
    const entry = this.traces.get(traceId);
    return entry ? [...entry.spans.values()] : undefined;
  }

  /** The traces holding a span of this correlation id, oldest update first. */
  tracesOf(correlationId: string): string[] {
    return [...(this.byCorrelation.get(correlationId) ?? [])];
  }

  private evictBeyondBound(): void {
    for (const [traceId, entry] of this.traces) {
      if (this.spanCount <= this.maxSpans) return;
      this.traces.delete(traceId);
      this.spanCount -= entry.spans.size;
      for (const correlationId of entry.correlationIds) {
        const traces = this.byCorrelation.get(correlationId);
        traces?.delete(traceId);
        if (traces?.size === 0) this.byCorrelation.delete(correlationId);
      }
    }
  }
}
