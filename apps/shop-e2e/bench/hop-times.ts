/** A span as the storefront's trace API answers it (`GET /api/traces?correlationId=`), with what this needs. */
export interface TracedSpan {
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly service: string;
  readonly name: string;
  readonly kind: string;
  readonly startUnixNano: string;
  readonly durationMs: number;
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** One message's way from the transaction that sent it to the handler that took it, in ms. */
export interface Hop {
  /** The consumer span's name (`process order-service`). */
  readonly to: string;
  /** The message's type (`order.place-order.v1`) and the service that took it: one step of the checkout. */
  readonly step: string;
  /** Sender's COMMIT done → receiver's consumer span started: the hop. */
  readonly commitToHandler: number;
  /** Sender's COMMIT done → the outbox's send started. */
  readonly commitToSend: number;
  /** The outbox's send started → receiver's consumer span started: the transport. */
  readonly sendToHandler: number;
  /** Receiver's consumer span started → its own COMMIT done: its handler and transaction; absent when it has none. */
  readonly handlerToCommit?: number;
  /** The receiver's database queries (`pg.query:*` spans) until that commit. */
  readonly queries?: number;
}

const startMs = (span: TracedSpan): number => Number(BigInt(span.startUnixNano) / 1_000n) / 1_000;
const endMs = (span: TracedSpan): number => startMs(span) + span.durationMs;

function firstCommit(spans: readonly TracedSpan[], service: string, notBefore: number): TracedSpan | undefined {
  return spans
    .filter((span) => span.service === service && span.name.startsWith('pg.query:COMMIT') && startMs(span) >= notBefore)
    .sort((a, b) => startMs(a) - startMs(b))[0];
}

/**
 * The hops of one checkout's trace. For each consumer span: its parent is the sender's producer span; the sender's
 * commit is the first `pg.query:COMMIT` after that producer span under the same unit of work (the consumer or
 * server span it was sent from); the send is the outbox's CLIENT span under the producer span. A hop whose spans
 * are not all there (not exported yet, or sent without a database) is left out.
 *
 * Span start times come from the SDK's clock in whole milliseconds (durations are finer), so one hop is known to
 * about a millisecond; a median over many is not skewed by that.
 */
export function hopsOf(spans: readonly TracedSpan[]): Hop[] {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const children = new Map<string, TracedSpan[]>();
  for (const span of spans) if (span.parentSpanId) children.set(span.parentSpanId, [...(children.get(span.parentSpanId) ?? []), span]);
  const descendants = (root: TracedSpan): TracedSpan[] => {
    const found: TracedSpan[] = [];
    const stack = [...(children.get(root.spanId) ?? [])];
    while (stack.length > 0) {
      const span = stack.pop() as TracedSpan;
      found.push(span);
      stack.push(...(children.get(span.spanId) ?? []));
    }
    return found;
  };
  const unitOfWork = (span: TracedSpan): TracedSpan | undefined => {
    for (let at = byId.get(span.parentSpanId ?? ''); at; at = byId.get(at.parentSpanId ?? '')) {
      if (at.kind === 'consumer' || at.kind === 'server') return at;
    }
    return undefined;
  };

  const hops: Hop[] = [];
  for (const consumer of spans) {
    if (consumer.kind !== 'consumer') continue;
    const producer = byId.get(consumer.parentSpanId ?? '');
    if (producer?.kind !== 'producer') continue;
    const unit = unitOfWork(producer);
    const send = (children.get(producer.spanId) ?? []).find((span) => span.kind === 'client' && span.name.startsWith('send '));
    if (!unit || !send) continue;
    const commit = firstCommit(descendants(unit), producer.service, startMs(producer));
    if (!commit) continue;
    const committed = endMs(commit);
    const ownWork = descendants(consumer).filter((span) => span.service === consumer.service);
    const ownCommit = firstCommit(ownWork, consumer.service, startMs(consumer));
    hops.push({
      to: consumer.name,
      step: `${String(consumer.attributes?.['stitch.message.type'] ?? consumer.name)} → ${consumer.service}`,
      commitToHandler: startMs(consumer) - committed,
      commitToSend: startMs(send) - committed,
      sendToHandler: startMs(consumer) - startMs(send),
      ...(ownCommit
        ? {
            handlerToCommit: endMs(ownCommit) - startMs(consumer),
            queries: ownWork.filter((span) => span.name.startsWith('pg.query:') && startMs(span) <= startMs(ownCommit)).length,
          }
        : {}),
    });
  }
  return hops;
}

/** Hops grouped by their step, in the order the steps were first seen. */
export function stepsOf(hops: readonly Hop[]): Array<[string, Hop[]]> {
  const steps = new Map<string, Hop[]>();
  for (const hop of hops) steps.set(hop.step, [...(steps.get(hop.step) ?? []), hop]);
  return [...steps];
}
