import pino from 'pino';
import { OrderPlaced, ReserveStock, SendEmail, shopCatalogue, UserSignedUp } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { serializeEnvelope } from './cloud-event';
import { MessageConsumer, type Endpoint, type HandlerWrapper, type MessageHandlerFn } from './consumer';
import { createEnvelope, type Envelope } from './envelope';
import { MessageRejectedError } from './errors';
import type { HandlerRetryOptions } from './retry-policy';
import type { FlowRecord, FlowRecorder } from './flow';
import { DELIVER_AT_HEADER } from './headers';
import { currentMessageContext } from './message-context';
import { earlierEnvelopeBody, InMemoryTransport } from '../testing';
import { fakeDelivery } from './test-support/fake-delivery';

const silent = pino({ level: 'silent' });
const welcome = { to: 'ada@example.com', template: 'welcome', params: { name: 'Ada' } };

class TemplateMissingError extends Error {
  override readonly name = 'TemplateMissingError';
}

function setup(
  handler: MessageHandlerFn = async () => undefined,
  handlerOptions?: ReadonlyMap<string, HandlerRetryOptions>,
  wrapHandler?: HandlerWrapper,
) {
  const transport = new InMemoryTransport(shopCatalogue.topology(), { maxDelayMs: 1_000 });
  const records: FlowRecord[] = [];
  const flow = { record: (record: FlowRecord) => records.push(record), drain: async () => undefined } as unknown as FlowRecorder;
  const calls: Envelope[] = [];
  const handlers = new Map<string, MessageHandlerFn>([
    [
      SendEmail.type,
      async (envelope, definition) => {
        calls.push(envelope);
        await handler(envelope, definition, 1);
      },
    ],
    [UserSignedUp.type, async () => undefined],
  ]);
  const consumer = new MessageConsumer({
    transport,
    catalogue: shopCatalogue,
    service: Services.email,
    instance: 'email-service-2',
    handlers,
    logger: silent,
    retry: { immediate: 1, baseDelayMs: 100, maxDelayMs: 10_000, jitter: 0 },
    ...(handlerOptions ? { handlerOptions } : {}),
    ...(wrapHandler ? { wrapHandler } : {}),
    flow,
  });
  const queue = consumer.endpoints.find((endpoint) => endpoint.kind === 'command') as Endpoint;
  return { consumer, queue, calls, records, transport };
}

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const envelopeOf = (type: string, data: unknown, kind: 'command' | 'event' = 'command') =>
  createEnvelope({ type, kind, source: Services.order, data }, { correlationId: 'corr-1', traceparent });
const body = (type: string, data: unknown, kind: 'command' | 'event' = 'command') => serializeEnvelope(envelopeOf(type, data, kind));

describe('MessageConsumer settle rules', () => {
  it('consumes its own queue and its own subscription, with the catalogue maxima', () => {
    const { consumer } = setup();
    expect(consumer.endpoints).toEqual([
      { source: { kind: 'queue', name: Services.email }, kind: 'command', types: new Set([SendEmail.type]), maxAttempts: 5 },
      {
        source: { kind: 'subscription', topic: 'events', name: Services.email },
        kind: 'event',
        types: new Set([UserSignedUp.type]),
        maxAttempts: 5,
      },
    ]);
  });

  it('completes a message only after its handler has finished, and records the flow', async () => {
    let finished = false;
    const { consumer, queue, records } = setup(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      finished = true;
    });
    const delivery = fakeDelivery(body(SendEmail.type, welcome));
    const settling = consumer.process(queue, delivery);
    expect(delivery.settled).toBeUndefined();
    await settling;
    expect(finished).toBe(true);
    expect(delivery.settled).toEqual({ kind: 'complete' });
    expect(records).toEqual([
      expect.objectContaining({
        type: SendEmail.type,
        kind: 'command',
        from: Services.order,
        to: Services.email,
        instance: 'email-service-2',
        correlationId: 'corr-1',
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        outcome: 'handled',
      }),
    ]);
  });

  it('handles a message of the earlier envelope shape, still waiting in a queue after an upgrade, as any other', async () => {
    const { consumer, queue, calls, records } = setup();
    const sent = envelopeOf(SendEmail.type, welcome);
    const delivery = fakeDelivery(earlierEnvelopeBody(sent));
    await expect(consumer.process(queue, delivery)).resolves.toBe('handled');
    expect(delivery.settled).toEqual({ kind: 'complete' });
    expect(calls).toEqual([{ ...sent, data: welcome }]);
    expect(records).toEqual([
      expect.objectContaining({ messageId: 'm-1', from: Services.order, correlationId: 'corr-1', outcome: 'handled' }),
    ]);
  });

  it('records a repeat its wrapper (the inbox) absorbed as a duplicate, not as handled again, and completes it', async () => {
    const handledIds = new Set<string>();
    const inbox: HandlerWrapper = async (envelope, work) => {
      if (handledIds.has(envelope.id)) return 'duplicate';
      handledIds.add(envelope.id);
      await work();
    };
    const { consumer, queue, calls, records } = setup(undefined, undefined, inbox);
    const raw = body(SendEmail.type, welcome);
    const first = fakeDelivery(raw);
    const again = fakeDelivery(raw, { attempt: 2 });
    await expect(consumer.process(queue, first)).resolves.toBe('handled');
    await expect(consumer.process(queue, again)).resolves.toBe('duplicate');
    expect(again.settled).toEqual({ kind: 'complete' });
    expect(calls).toHaveLength(1);
    expect(records.map((record) => record.outcome)).toEqual(['handled', 'duplicate']);
    expect(records[1]).toMatchObject({ correlationId: 'corr-1', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
  });

  it('records the transport-level correlation id for a message it could not read', async () => {
    const { consumer, queue, records } = setup();
    await consumer.process(queue, fakeDelivery('{oops'));
    expect(records).toEqual([expect.objectContaining({ correlationId: 'c-1', outcome: 'dead-lettered' })]);
    expect(records[0]).not.toHaveProperty('traceId');
  });

  it('runs the handler inside the message context, so what it sends is correlated', async () => {
    let seen: string | undefined;
    const { consumer, queue } = setup(async () => {
      seen = currentMessageContext()?.correlationId;
    });
    await consumer.process(queue, fakeDelivery(body(SendEmail.type, welcome)));
    expect(seen).toBe('corr-1');
  });

  it("releases a failed message at once for the immediate retries, then after a growing backoff, by the transport's attempt count", async () => {
    const { consumer, queue, records } = setup(async () => {
      throw new Error('SMTP down');
    });
    const settled = [];
    for (const attempt of [1, 2, 4]) {
      const delivery = fakeDelivery(body(SendEmail.type, welcome), { attempt });
      await consumer.process(queue, delivery);
      settled.push(delivery.settled);
    }
    expect(settled).toEqual([
      { kind: 'retry', delayMs: 0 },
      { kind: 'retry', delayMs: 100 },
      { kind: 'retry', delayMs: 400 },
    ]);
    expect(records.map((r) => r.outcome)).toEqual(['retried', 'retried', 'retried']);
  });

  it("applies a handler's own policy over the service's, and only to that handler", async () => {
    const options = new Map([[SendEmail.type, { retry: { immediate: 0, baseDelayMs: 500 } }]]);
    const { consumer, queue } = setup(async () => {
      throw new Error('SMTP down');
    }, options);
    const first = fakeDelivery(body(SendEmail.type, welcome), { attempt: 1 });
    const second = fakeDelivery(body(SendEmail.type, welcome), { attempt: 2 });
    await consumer.process(queue, first);
    await consumer.process(queue, second);
    expect(first.settled).toEqual({ kind: 'retry', delayMs: 500 });
    expect(second.settled).toEqual({ kind: 'retry', delayMs: 1_000 });
    expect(consumer.policyFor(UserSignedUp.type).retry).toEqual({ immediate: 1, baseDelayMs: 100, maxDelayMs: 10_000, jitter: 0 });
  });

  it('dead-letters an error its handler lists as permanent on the first attempt, naming the rule', async () => {
    const { consumer, queue } = setup(
      async () => {
        throw new TemplateMissingError('no template "welcome"');
      },
      new Map([[SendEmail.type, { permanent: [TemplateMissingError] }]]),
    );
    const first = fakeDelivery(body(SendEmail.type, welcome), { attempt: 1 });
    await consumer.process(queue, first);
    expect(first.settled).toEqual({
      kind: 'dead-letter',
      reason: 'TemplateMissingError: no template "welcome"',
      description: 'permanent error, not retried: failed on attempt 1 of 5 in email-service-2',
    });
  });

  it('refuses a handler policy it cannot use, naming the handler', () => {
    expect(() => setup(undefined, new Map([[SendEmail.type, { retry: { baseDelayMs: -5 } }]]))).toThrow(
      "email-service's handler for SendEmail: invalid retry policy: baseDelayMs must be ≥ 1, got -5",
    );
  });

  it('dead-letters on the last allowed attempt with the error as reason', async () => {
    const { consumer, queue, records } = setup(async () => {
      throw new TypeError('template missing');
    });
    const last = fakeDelivery(body(SendEmail.type, welcome), { attempt: 5 });
    await consumer.process(queue, last);
    expect(last.settled).toEqual({
      kind: 'dead-letter',
      reason: 'TypeError: template missing',
      description: 'attempts exhausted: failed on attempt 5 of 5 in email-service-2',
    });
    expect(records[0]?.outcome).toBe('dead-lettered');
  });

  it('keeps no stack, absolute path or source position in the reason it dead-letters with', async () => {
    const { consumer, queue } = setup(async () => {
      const error = new TypeError('cannot open /srv/shop/.data/mail/x.eml\n    at open (/srv/shop/dist/mailer.js:12:7)');
      error.stack = `TypeError: ${error.message}\n    at handler (/srv/shop/dist/handler.js:3:9)`;
      throw error;
    });
    const last = fakeDelivery(body(SendEmail.type, welcome), { attempt: 5 });
    await consumer.process(queue, last);
    expect(last.settled).toMatchObject({ kind: 'dead-letter', reason: 'TypeError: cannot open <path>' });
  });

  it('dead-letters a message its handler rejects on the first attempt, without retrying it', async () => {
    const { consumer, queue, records } = setup(async () => {
      throw new MessageRejectedError('param orderId is missing for template order-confirmed');
    });
    const first = fakeDelivery(body(SendEmail.type, welcome), { attempt: 1 });
    await consumer.process(queue, first);
    expect(first.settled).toEqual({
      kind: 'dead-letter',
      reason: 'MessageRejectedError: param orderId is missing for template order-confirmed',
      description: 'permanent error, not retried: failed on attempt 1 of 5 in email-service-2',
    });
    expect(records[0]?.outcome).toBe('dead-lettered');
  });

  it.each([
    ['not JSON', '{oops', 'InvalidMessage', /body is not JSON/],
    ['not an envelope', JSON.stringify({ hello: 'world' }), 'InvalidMessage', /not a CloudEvent: specversion: /],
    ['an unknown type', body('shop.made-up.v1', {}), 'UnknownMessageType', /"shop.made-up.v1" is not in the catalogue/],
    [
      'a command of another owner',
      body(ReserveStock.type, { orderId: 'x', items: [] }),
      'UnexpectedMessage',
      /ReserveStock \(command\) does not belong on queue email-service/,
    ],
    ['an event sent as a command', body(UserSignedUp.type, {}, 'command'), 'UnexpectedMessage', /UserSignedUp \(event\)/],
    ['data that fails the schema', body(SendEmail.type, { ...welcome, to: 'nobody' }), 'SchemaValidationFailed', /SendEmail: to: /],
  ])('dead-letters %s at once, without calling a handler', async (_what, raw, reason, description) => {
    const { consumer, queue, calls } = setup();
    const delivery = fakeDelivery(raw, { attempt: 1 });
    await consumer.process(queue, delivery);
    expect(calls).toHaveLength(0);
    expect(delivery.settled).toMatchObject({ kind: 'dead-letter', reason });
    expect(delivery.settled?.kind === 'dead-letter' && delivery.settled.description).toMatch(description);
  });

  it('re-defers a message that arrives before its due time, keeping its id and body', async () => {
    const { consumer, queue, calls, transport } = setup();
    const raw = body(SendEmail.type, welcome);
    const delivery = fakeDelivery(raw, { headers: { [DELIVER_AT_HEADER]: String(Date.now() + 60_000) } });
    const sent: unknown[] = [];
    jest.spyOn(transport, 'send').mockImplementation(async (destination, messages) => void sent.push({ destination, messages }));
    await expect(consumer.process(queue, delivery)).resolves.toBe('deferred');
    expect(calls).toHaveLength(0);
    expect(delivery.settled).toEqual({ kind: 'complete' });
    expect(sent).toEqual([
      {
        destination: { kind: 'queue', name: Services.email },
        messages: [expect.objectContaining({ messageId: 'm-1', body: raw, notBefore: expect.any(Number) })],
      },
    ]);
  });

  it('refuses to start when handlers and catalogue disagree', async () => {
    const transport = new InMemoryTransport(shopCatalogue.topology());
    const start = (handlers: Map<string, MessageHandlerFn>) =>
      new MessageConsumer({
        transport,
        catalogue: shopCatalogue,
        service: Services.email,
        instance: 'e-1',
        handlers,
        logger: silent,
      }).start();
    const noop: MessageHandlerFn = async () => undefined;
    await expect(start(new Map([[SendEmail.type, noop]]))).rejects.toThrow('email-service cannot start: no handler for UserSignedUp');
    await expect(
      start(
        new Map([
          [SendEmail.type, noop],
          [UserSignedUp.type, noop],
          [OrderPlaced.type, noop],
        ]),
      ),
    ).rejects.toThrow('a handler for OrderPlaced, an event the catalogue does not subscribe email-service to');
    await expect(
      start(
        new Map([
          [SendEmail.type, noop],
          [UserSignedUp.type, noop],
          [ReserveStock.type, noop],
        ]),
      ),
    ).rejects.toThrow('a handler for ReserveStock, a command owned by inventory-service');
  });
});
