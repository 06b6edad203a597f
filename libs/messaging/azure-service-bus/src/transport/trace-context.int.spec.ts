import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import pino from 'pino';
import { z } from 'zod';
import { Catalogue, defineCommand } from '@stitch/messaging-catalogue';
import { MessageBus, MessageConsumer, messagingSystem, TransportDispatcher } from '@stitch/messaging-core';
import { serviceBusEntities } from '../entities';
import { FakeServiceBusClient, FakeServiceBusServer } from '../../testing';
import { createServiceBusTransport } from './service-bus-transport';

const DoWork = defineCommand({
  type: 'alpha.do-work.v1',
  name: 'DoWork',
  owner: 'alpha',
  senders: ['beta'],
  schema: z.strictObject({ n: z.number().int() }),
});
const catalogue = new Catalogue({ services: ['alpha', 'beta'], messages: [DoWork], maxAttempts: { default: 3 } });

/**
 * The Service Bus leg of "one checkout, one trace" at the transport's level (the whole shop's is in
 * apps/shop-e2e/src/telemetry.e2e-spec.ts): a message sent by one transport and handled through another across the
 * fake broker is one trace, its consumer span the child of its producer span, a redelivery after a failure too.
 */
describe('trace context across the fake Service Bus broker', () => {
  const exporter = new InMemorySpanExporter();
  const ended: Array<(span: ReadableSpan) => void> = [];
  const provider = new TracerProvider({
    spanProcessors: [
      new SimpleSpanProcessor({ exporter }),
      {
        onStart: () => undefined,
        onEnd: (span) => ended.forEach((listener) => listener(span)),
        forceFlush: async () => undefined,
        shutdown: async () => undefined,
      },
    ],
  });
  let server: FakeServiceBusServer;

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(provider);
    server = await FakeServiceBusServer.start();
  });

  afterAll(async () => {
    await server.close();
    await provider.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  /** Resolves with the `count`th span of that name to end. */
  function spanEnded(name: string, count: number): Promise<ReadableSpan> {
    return new Promise((resolve) => {
      let seen = 0;
      const listener = (span: ReadableSpan) => {
        if (span.name !== name || ++seen < count) return;
        ended.splice(ended.indexOf(listener), 1);
        resolve(span);
      };
      ended.push(listener);
    });
  }

  it('parents each delivery of a message, the retried one too, to the span that sent it', async () => {
    const topology = catalogue.topology();
    server.createNamespace('traced', serviceBusEntities(topology), { lockMs: 1_500 });
    const transportFor = () =>
      createServiceBusTransport({
        topology,
        client: () => new FakeServiceBusClient(server.url, 'traced'),
        lockDurationMs: 1_500,
        maxWaitMs: 500,
      });
    const sending = transportFor();
    const receiving = transportFor();
    await sending.start();
    await receiving.start();
    const consumer = new MessageConsumer({
      transport: receiving,
      catalogue,
      service: 'alpha',
      instance: 'alpha-1',
      handlers: new Map([
        [
          DoWork.type,
          async (_envelope, _definition, attempt) => {
            if (attempt === 1) throw new Error('a dependency said no, this once');
          },
        ],
      ]),
      logger: pino({ level: 'silent' }),
      retry: { immediate: 2, baseDelayMs: 100, maxDelayMs: 1_000, jitter: 0 },
      lockMs: 1_500,
    });
    const bus = new MessageBus({
      catalogue,
      service: 'beta',
      dispatcher: new TransportDispatcher(sending),
      maxDelayMs: sending.capabilities.maxDelayMs,
      system: messagingSystem(sending.name),
    });
    const handledAgain = spanEnded('process alpha', 2);
    try {
      await consumer.start();
      await bus.send(DoWork, { n: 1 });
      await handledAgain;
    } finally {
      await consumer.stop();
      await Promise.all([sending.close(), receiving.close()]);
    }

    const spans = exporter.getFinishedSpans();
    const producer = spans.find((span) => span.name === 'send alpha') as ReadableSpan;
    const deliveries = spans.filter((span) => span.name === 'process alpha');
    expect(producer.kind).toBe(SpanKind.PRODUCER);
    expect(producer.attributes['messaging.system']).toBe('servicebus');
    expect(deliveries.map((span) => [span.kind, span.attributes['stitch.delivery.attempt'], span.attributes['stitch.outcome']])).toEqual([
      [SpanKind.CONSUMER, 1, 'retried'],
      [SpanKind.CONSUMER, 2, 'handled'],
    ]);
    for (const delivery of deliveries) {
      expect(delivery.spanContext().traceId).toBe(producer.spanContext().traceId);
      expect(delivery.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
      expect(delivery.attributes['messaging.system']).toBe('servicebus');
    }
  });
});
