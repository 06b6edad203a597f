import {
  context,
  metrics,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Counter,
  type Histogram,
  type Link,
  type ObservableResult,
  type Span,
} from '@opentelemetry/api';
import type { Envelope } from './envelope';
import type { Destination, Source, Transport } from './transport';

/**
 * Spans and metrics of messaging, after OpenTelemetry's messaging semantic conventions. Only the API is used here:
 * with no SDK started (a test, or a service with telemetry off) every call is a no-op, and the SDK a service
 * starts (`@stitch/telemetry`) records them.
 */
const INSTRUMENTATION = '@stitch/messaging-core';

/** The trace context a message carries on the wire: the CloudEvents distributed-tracing extension. */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

/** `messaging.system` for a transport: the conventions' well-known value where there is one. */
export function messagingSystem(transport: string): string {
  const known: Record<string, string> = { azure: 'servicebus', aws: 'aws_sqs', local: 'stitch_embedded' };
  return known[transport] ?? transport;
}

/** The context a message was created in (its producer span), from its `traceparent` and `tracestate`. */
export function creationContext(carrier: TraceCarrier): Context {
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/** The active context as `traceparent`/`tracestate`, empty when nothing is being traced. */
export function currentTraceCarrier(): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

export function messageAttributes(system: string, destination: Destination | Source, envelope: Envelope): Attributes {
  return {
    'messaging.system': system,
    'messaging.destination.name': destination.kind === 'subscription' ? destination.topic : destination.name,
    ...(destination.kind === 'subscription' ? { 'messaging.destination.subscription.name': destination.name } : {}),
    'messaging.message.id': envelope.id,
    'messaging.message.conversation_id': envelope.correlationId,
    'stitch.message.type': envelope.type,
  };
}

/** The tracer of the messaging spans: the bus's, the consumer's, and the outbox's in persistence. */
export function messagingTracer() {
  return trace.getTracer(INSTRUMENTATION);
}

/**
 * Runs `work` in a PRODUCER span `send <destination>`; `work` gets the span's context as the carrier to write
 * into the envelope, so the consumer's span is its child.
 */
export function inProducerSpan<T>(
  system: string,
  destination: Destination,
  envelope: Envelope,
  operation: 'send' | 'publish',
  work: (carrier: TraceCarrier) => Promise<T>,
): Promise<T> {
  return messagingTracer().startActiveSpan(
    `send ${destination.name}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        ...messageAttributes(system, destination, envelope),
        'messaging.operation.type': 'send',
        'messaging.operation.name': operation,
      },
    },
    (span) => settleSpan(span, () => work(currentTraceCarrier())),
  );
}

/**
 * Runs `work` (the handler, its inbox transaction and the settling) in a CONSUMER span `process <destination>`
 * whose parent is the producer's context taken from the envelope: a redelivery is another child of the same
 * producer span, so retries stay in the trace of the message they repeat.
 */
export function inConsumerSpan<T>(
  system: string,
  source: Source,
  envelope: Envelope,
  attempt: number,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const name = `process ${source.kind === 'subscription' ? source.topic : source.name}`;
  return messagingTracer().startActiveSpan(
    name,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...messageAttributes(system, source, envelope),
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'stitch.delivery.attempt': attempt,
      },
    },
    creationContext(envelope),
    (span) => settleSpan(span, () => work(span)),
  );
}

/** Ends the span when the work settles; a rejection marks it as an error. */
export async function settleSpan<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}

/** A link to each message's creation context, for a span that handles several messages at once. */
export function linksTo(carriers: readonly TraceCarrier[]): Link[] {
  return carriers.flatMap((carrier) => {
    const spanContext = trace.getSpanContext(creationContext(carrier));
    return spanContext && trace.isSpanContextValid(spanContext) ? [{ context: spanContext }] : [];
  });
}

/** The consumer's instruments. Made when a consumer is, after the SDK has set the global meter provider. */
export class ConsumerMetrics {
  private readonly handled: Counter;
  private readonly retried: Counter;
  private readonly deadLettered: Counter;
  private readonly duration: Histogram;

  constructor() {
    const meter = metrics.getMeter(INSTRUMENTATION);
    this.handled = meter.createCounter('stitch.messages.handled', { description: 'Messages whose handler completed (repeats included)' });
    this.retried = meter.createCounter('stitch.messages.retried', {
      description: 'Deliveries that failed and were given back for a retry',
    });
    this.deadLettered = meter.createCounter('stitch.messages.dead_lettered', { description: 'Messages moved to the dead-letter queue' });
    this.duration = meter.createHistogram('messaging.process.duration', {
      description: 'How long a delivery took, from its receipt until it was settled',
      unit: 's',
    });
  }

  record(outcome: string, seconds: number | undefined, attributes: Attributes): void {
    const withOutcome = { ...attributes, 'stitch.outcome': outcome };
    if (outcome === 'handled' || outcome === 'duplicate') this.handled.add(1, withOutcome);
    else if (outcome === 'retried') this.retried.add(1, withOutcome);
    else if (outcome === 'dead-lettered') this.deadLettered.add(1, withOutcome);
    if (seconds !== undefined) this.duration.record(seconds, withOutcome);
  }
}

/**
 * Observes the depth of each of the service's queues and subscriptions as the gauge `stitch.queue.depth`, when the
 * transport can tell (`Transport.depth`). Returns what stops observing. A failed read skips that collection.
 */
export function observeQueueDepth(transport: Transport, sources: readonly Source[], service: string): () => void {
  const { depth } = transport;
  if (!depth) return () => undefined;
  const system = messagingSystem(transport.name);
  const gauge = metrics.getMeter(INSTRUMENTATION).createObservableGauge('stitch.queue.depth', {
    description: 'Messages waiting at a queue or subscription, those being handled included',
    unit: '{message}',
  });
  const observe = async (result: ObservableResult) => {
    for (const source of sources) {
      const waiting = await depth.call(transport, source).catch(() => undefined);
      if (waiting === undefined) continue;
      result.observe(waiting, {
        'messaging.system': system,
        'messaging.destination.name': source.kind === 'subscription' ? source.topic : source.name,
        ...(source.kind === 'subscription' ? { 'messaging.destination.subscription.name': source.name } : {}),
        'stitch.service': service,
      });
    }
  };
  gauge.addCallback(observe);
  return () => gauge.removeCallback(observe);
}
