import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import pino from 'pino';
import { SendEmail, shopCatalogue } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { MessageBus } from './bus';
import { parseEnvelope } from './cloud-event';
import { endpointsOf, MessageConsumer, type Endpoint } from './consumer';
import { PermanentError } from './errors';
import { TransportDispatcher } from './outgoing';
import type { Envelope } from './envelope';
import { currentMessageContext } from './message-context';
import type { Destination, OutgoingMessage } from './transport';
import { InMemoryTransport } from '../testing';
import { fakeDelivery } from './test-support/fake-delivery';

const exporter = new InMemorySpanExporter();
const onEnd: Array<(span: ReadableSpan) => void> = [];
const provider = new TracerProvider({
  spanProcessors: [
    new SimpleSpanProcessor({ exporter }),
    {
      onStart: () => undefined,
      onEnd: (span) => onEnd.forEach((listener) => listener(span)),
      forceFlush: async () => undefined,
      shutdown: async () => undefined,
    },
  ],
});

/** Resolves with the next span of that name to end. */
function nextEnded(name: string): Promise<ReadableSpan> {
  return new Promise((resolve) => {
    const listener = (span: ReadableSpan) => {
      if (span.name !== name) return;
      onEnd.splice(onEnd.indexOf(listener), 1);
      resolve(span);
    };
    onEnd.push(listener);
  });
}
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
});

afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

beforeEach(() => exporter.reset());

const welcome = { to: 'ada@example.com', template: 'welcome' as const, params: { name: 'Ada' } };
const sender = SendEmail.senders[0] as string;

function sendingBus() {
  const sent: Array<{ destination: Destination; message: OutgoingMessage }> = [];
  const bus = new MessageBus({
    catalogue: shopCatalogue,
    service: sender,
    dispatcher: { dispatch: async (destination, message) => void sent.push({ destination, message }) },
    maxDelayMs: 1_000,
    system: 'stitch_embedded',
  });
  return { bus, sent };
}

function consumerWith(handler: (envelope: Envelope, attempt: number) => Promise<void>) {
  const transport = new InMemoryTransport(shopCatalogue.topology(), { maxDelayMs: 1_000 });
  const consumer = new MessageConsumer({
    transport,
    catalogue: shopCatalogue,
    service: Services.email,
    instance: 'email-service-1',
    handlers: new Map([[SendEmail.type, (envelope, _definition, attempt) => handler(envelope, attempt)]]),
    logger: pino({ level: 'silent' }),
    retry: { immediate: 3, baseDelayMs: 100, maxDelayMs: 10_000, jitter: 0 },
  });
  const queue = consumer.endpoints.find((endpoint) => endpoint.kind === 'command') as Endpoint;
  return { consumer, queue };
}

const spansNamed = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((span) => span.name === name);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('messaging spans', () => {
  it('sends in a PRODUCER span whose context the envelope carries, after the messaging conventions', async () => {
    const { bus, sent } = sendingBus();
    const envelope = await bus.send(SendEmail, welcome);

    const [producer] = spansNamed(`send ${Services.email}`);
    expect(producer?.kind).toBe(SpanKind.PRODUCER);
    expect(producer?.attributes).toMatchObject({
      'messaging.system': 'stitch_embedded',
      'messaging.destination.name': Services.email,
      'messaging.operation.type': 'send',
      'messaging.message.id': envelope.id,
      'messaging.message.conversation_id': envelope.correlationId,
    });
    const carried = parseEnvelope(JSON.parse(sent[0]?.message.body as string));
    expect(carried.format && carried.envelope.traceparent).toBe(
      `00-${producer?.spanContext().traceId}-${producer?.spanContext().spanId}-01`,
    );
    expect(envelope.traceparent).toBe(carried.format && carried.envelope.traceparent);
  });

  it('continues the trace of the active span: a send inside a request is its child', async () => {
    const { bus } = sendingBus();
    await trace.getTracer('test').startActiveSpan('request', async (request) => {
      await bus.send(SendEmail, welcome);
      request.end();
    });
    const [request] = spansNamed('request');
    const [producer] = spansNamed(`send ${Services.email}`);
    expect(parentOf(producer as ReadableSpan)).toBe(request?.spanContext().spanId);
    expect(producer?.spanContext().traceId).toBe(request?.spanContext().traceId);
  });

  it('handles in a CONSUMER span parented to the producer span, with the handler inside it', async () => {
    const { bus, sent } = sendingBus();
    await bus.send(SendEmail, welcome);
    let activeInHandler: string | undefined;
    let carriedOn: string | undefined;
    const { consumer, queue } = consumerWith(async () => {
      activeInHandler = trace.getActiveSpan()?.spanContext().spanId;
      carriedOn = currentMessageContext()?.traceparent;
    });

    expect(await consumer.process(queue, fakeDelivery(sent[0]?.message.body as string))).toBe('handled');

    const [producer] = spansNamed(`send ${Services.email}`);
    const [processSpan] = spansNamed(`process ${Services.email}`);
    expect(processSpan?.kind).toBe(SpanKind.CONSUMER);
    expect(processSpan?.spanContext().traceId).toBe(producer?.spanContext().traceId);
    expect(parentOf(processSpan as ReadableSpan)).toBe(producer?.spanContext().spanId);
    expect(processSpan?.attributes).toMatchObject({ 'messaging.operation.type': 'process', 'stitch.outcome': 'handled' });
    expect(activeInHandler).toBe(processSpan?.spanContext().spanId);
    expect(carriedOn).toContain(producer?.spanContext().traceId);
  });

  it('keeps a retried delivery in the trace of the message: each attempt is a child of the same producer span', async () => {
    const { bus, sent } = sendingBus();
    await bus.send(SendEmail, welcome);
    const { consumer, queue } = consumerWith(async (_envelope, attempt) => {
      if (attempt === 1) throw new Error('mail server said 451, try again');
    });
    const body = sent[0]?.message.body as string;

    expect(await consumer.process(queue, fakeDelivery(body, { attempt: 1 }))).toBe('retried');
    expect(await consumer.process(queue, fakeDelivery(body, { attempt: 2 }))).toBe('handled');

    const [producer] = spansNamed(`send ${Services.email}`);
    const attempts = spansNamed(`process ${Services.email}`);
    expect(attempts.map((span) => [span.attributes['stitch.delivery.attempt'], span.attributes['stitch.outcome']])).toEqual([
      [1, 'retried'],
      [2, 'handled'],
    ]);
    for (const span of attempts) {
      expect(span.spanContext().traceId).toBe(producer?.spanContext().traceId);
      expect(parentOf(span)).toBe(producer?.spanContext().spanId);
    }
    expect(attempts[0]?.events.map((event) => event.name)).toContain('exception');
  });

  it('keeps a replayed dead letter in its trace: the replayed delivery is a child of the producer span too', async () => {
    const transport = new InMemoryTransport(shopCatalogue.topology(), { maxDelayMs: 1_000 });
    let broken = true;
    const consumer = new MessageConsumer({
      transport,
      catalogue: shopCatalogue,
      service: Services.email,
      instance: 'email-service-1',
      // Every type the email service consumes needs a handler to start; only SendEmail is sent here.
      handlers: new Map(
        endpointsOf(shopCatalogue, Services.email).flatMap((endpoint) =>
          [...endpoint.types].map((type) => [
            type,
            async () => {
              if (broken) throw new PermanentError('template missing');
            },
          ]),
        ),
      ),
      logger: pino({ level: 'silent' }),
    });
    const bus = new MessageBus({
      catalogue: shopCatalogue,
      service: sender,
      dispatcher: new TransportDispatcher(transport),
      maxDelayMs: 1_000,
      system: 'in-memory',
    });
    await consumer.start();
    try {
      const deadLettered = nextEnded(`process ${Services.email}`);
      await bus.send(SendEmail, welcome);
      expect((await deadLettered).attributes['stitch.outcome']).toBe('dead-lettered');

      broken = false;
      const replayed = nextEnded(`process ${Services.email}`);
      expect(await transport.deadLetters.replay({ kind: 'queue', name: Services.email })).toBe(1);
      const handled = await replayed;

      const [producer] = spansNamed(`send ${Services.email}`);
      expect(handled.attributes['stitch.outcome']).toBe('handled');
      expect(handled.spanContext().traceId).toBe(producer?.spanContext().traceId);
      expect(parentOf(handled)).toBe(producer?.spanContext().spanId);
    } finally {
      await consumer.stop();
      await transport.close();
    }
  });
});
