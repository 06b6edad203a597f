import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type SpanContext } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';

export interface SpanPlan {
  readonly name: string;
  readonly kind?: SpanKind;
  /** Under this span (of any service); a new trace without it. */
  readonly parent?: SpanContext;
  /** Milliseconds since the epoch. */
  readonly startMs: number;
  readonly durationMs: number;
  readonly attributes?: Attributes;
  readonly error?: string;
}

/**
 * One service's tracer, as the OTel SDK makes spans in that service: its own resource (`service.name`,
 * `service.instance.id`) and an exporter of the test's choice, each span exported as it ends.
 */
export class ServiceTracer {
  private readonly provider: TracerProvider;

  constructor(
    readonly service: string,
    exporter: SpanExporter,
  ) {
    this.provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': service, 'service.instance.id': `${service}-1` }),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
  }

  /** A finished span with exactly the times planned; answers its context, to parent others with. */
  span(plan: SpanPlan): SpanContext {
    const parent = plan.parent ? trace.setSpanContext(ROOT_CONTEXT, plan.parent) : ROOT_CONTEXT;
    const span = this.provider
      .getTracer('storefront-tests')
      .startSpan(plan.name, { kind: plan.kind ?? SpanKind.INTERNAL, startTime: plan.startMs, attributes: plan.attributes }, parent);
    if (plan.error) span.setStatus({ code: SpanStatusCode.ERROR, message: plan.error });
    span.end(plan.startMs + plan.durationMs);
    return span.spanContext();
  }

  /** Resolves once every ended span has been exported (sent, for an OTLP exporter). */
  async flush(): Promise<void> {
    await this.provider.forceFlush();
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}
