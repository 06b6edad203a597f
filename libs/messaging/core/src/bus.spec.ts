import { expectTypeOf } from 'expect-type';
import { ChargePayment, PlaceOrder, ReserveStock, SendEmail, shopCatalogue, UserSignedUp, OrderPlaced } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { MessageBus } from './bus';
import { createEnvelope } from './envelope';
import { MessageRejectedError, MessageValidationError } from './errors';
import { DELIVER_AT_HEADER } from './headers';
import { contextForEnvelope, runInMessageContext } from './message-context';
import { RecordingDispatcher } from './test-support/recording-dispatcher';
import { readStructuredCloudEvent } from '../testing';

const orderId = '3b241101-e2bb-4255-8caf-4136c566a962';
const userId = '9a3c3f0e-5d4b-4c9a-8f00-8c7f2d6b1e11';

function busFor(service: string, maxDelayMs = Number.MAX_SAFE_INTEGER) {
  const dispatcher = new RecordingDispatcher();
  const bus = new MessageBus({ catalogue: shopCatalogue, service, dispatcher, maxDelayMs, now: () => 1_000_000 });
  return { bus, dispatcher };
}

describe('MessageBus', () => {
  it('types: commands are sent, events are published, data is checked against the schema', () => {
    const { bus } = busFor(Services.order);
    expectTypeOf(bus.send).toBeCallableWith(ReserveStock, { orderId, items: [{ sku: 'TEE-M', quantity: 1 }] });
    expectTypeOf(bus.publish).toBeCallableWith(UserSignedUp, { userId, email: 'a@b.co', name: 'A' });
    const typeOnly = () => {
      // @ts-expect-error an event cannot be sent
      void bus.send(UserSignedUp, { userId, email: 'a@b.co', name: 'A' });
      // @ts-expect-error a command cannot be published
      void bus.publish(ReserveStock, { orderId, items: [] });
      // @ts-expect-error the payload must match the schema's type
      void bus.send(ReserveStock, { orderId, items: [{ sku: 'TEE-M', quantity: 'one' }] });
    };
    expect(typeOnly).toBeInstanceOf(Function);
  });

  it('sends a command to the queue of the service that owns it', async () => {
    const { bus, dispatcher } = busFor(Services.order);
    const envelope = await bus.send(ReserveStock, { orderId, items: [{ sku: 'TEE-M', quantity: 2 }] });
    expect(dispatcher.sent).toHaveLength(1);
    expect(dispatcher.sent[0]?.destination).toEqual({ kind: 'queue', name: Services.inventory });
    expect(dispatcher.sent[0]?.message).toMatchObject({ messageId: envelope.id, type: ReserveStock.type, correlationId: envelope.id });
    // The body is the envelope as a structured-mode CloudEvent 1.0, whatever the transport.
    expect(JSON.parse(dispatcher.sent[0]?.message.body ?? '')).toEqual({
      specversion: '1.0',
      id: envelope.id,
      source: '/stitch/order-service',
      type: 'inventory.reserve-stock.v1',
      time: new Date(1_000_000).toISOString(),
      datacontenttype: 'application/json',
      kind: 'command',
      correlationid: envelope.id,
      causationid: envelope.id,
      data: { orderId, items: [{ sku: 'TEE-M', quantity: 2 }] },
    });
    const event = readStructuredCloudEvent(dispatcher.sent[0]?.message.body ?? '');
    expect({ id: event.id, source: event.source, type: event.type, data: event.data }).toEqual({
      id: envelope.id,
      source: '/stitch/order-service',
      type: ReserveStock.type,
      data: { orderId, items: [{ sku: 'TEE-M', quantity: 2 }] },
    });
  });

  it('publishes an event to the topic, not to any queue', async () => {
    const { bus, dispatcher } = busFor(Services.storefront);
    await bus.publish(UserSignedUp, { userId, email: 'ada@example.com', name: 'Ada' });
    expect(dispatcher.sent[0]?.destination).toEqual({ kind: 'topic', name: 'events' });
  });

  it('rejects at run time what the types forbid, naming the right call, and sends nothing', async () => {
    const { bus, dispatcher } = busFor(Services.order);
    await expect(bus.send(UserSignedUp as never, {} as never)).rejects.toThrow(
      'UserSignedUp is an event: publish it with bus.publish(); only commands are sent',
    );
    await expect(bus.publish(PlaceOrder as never, {} as never)).rejects.toThrow(
      'PlaceOrder is a command: send it with bus.send(); only events are published',
    );
    // A look-alike object cannot change what the catalogue says.
    await expect(bus.send({ ...UserSignedUp, kind: 'command', owner: Services.email } as never, {} as never)).rejects.toThrow(
      /is an event/,
    );
    await expect(bus.send({ type: 'x.nothing.v1' } as never, {} as never)).rejects.toThrow(
      '"x.nothing.v1" is not a message type in the catalogue',
    );
    expect(dispatcher.sent).toHaveLength(0);
  });

  it('refuses a command from a service outside its senders, naming them, before anything reaches the dispatcher', async () => {
    const { bus, dispatcher } = busFor(Services.storefront);
    const charge = { orderId, amountCents: 100, currency: 'EUR', paymentMethod: { token: 'tok_test_visa', last4: '4242' } } as const;
    const attempt = bus.send(ChargePayment, charge);
    await expect(attempt).rejects.toBeInstanceOf(MessageRejectedError);
    await expect(attempt).rejects.toThrow(
      "storefront may not send payment.charge-payment.v1: its senders are order-service; add it to the command's senders in the catalogue",
    );
    // A look-alike object cannot add a sender the catalogue does not name.
    await expect(bus.send({ ...ChargePayment, senders: [Services.storefront] }, charge)).rejects.toThrow(/storefront may not send/);
    // The dispatcher may be an outbox: nothing is recorded for a relay to fail on later.
    expect(dispatcher.sent).toHaveLength(0);

    const sender = busFor(Services.order);
    await sender.bus.send(ChargePayment, charge);
    expect(sender.dispatcher.sent.map((sent) => sent.destination)).toEqual([{ kind: 'queue', name: Services.payment }]);
  });

  it('lets only the catalogue publisher publish an event', async () => {
    const { bus, dispatcher } = busFor(Services.email);
    await expect(
      bus.publish(OrderPlaced, {
        orderId,
        userId,
        items: [{ sku: 'TEE-M', quantity: 1, unitPriceCents: 100 }],
        totalCents: 100,
        version: 1,
      }),
    ).rejects.toThrow('OrderPlaced is published by order-service; email-service cannot publish it');
    expect(dispatcher.sent).toHaveLength(0);
  });

  it('validates data on send, naming the field', async () => {
    const { bus, dispatcher } = busFor(Services.order);
    const attempt = bus.send(SendEmail, { to: 'nobody', template: 'welcome', params: {} });
    await expect(attempt).rejects.toBeInstanceOf(MessageValidationError);
    await expect(attempt).rejects.toThrow(/SendEmail is invalid: to: /);
    await expect(attempt).rejects.toBeInstanceOf(MessageRejectedError);
    expect(dispatcher.sent).toHaveLength(0);
  });

  it('carries correlation and causation from the message being handled', async () => {
    const { bus, dispatcher } = busFor(Services.order);
    const incoming = createEnvelope(
      { type: PlaceOrder.type, kind: 'command', source: Services.storefront, data: {} },
      { correlationId: 'checkout-42', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    );
    const sent = await runInMessageContext(contextForEnvelope(incoming), () =>
      bus.send(ReserveStock, { orderId, items: [{ sku: 'TEE-M', quantity: 1 }] }),
    );
    expect(sent.correlationId).toBe('checkout-42');
    expect(sent.causationId).toBe(incoming.id);
    expect(sent.traceparent).toBe(incoming.traceparent);
    expect(dispatcher.sent[0]?.message.correlationId).toBe('checkout-42');
    // On the wire: lower-case extension attributes, and the distributed-tracing extension's traceparent.
    const event = readStructuredCloudEvent(dispatcher.sent[0]?.message.body ?? '');
    expect(event).toMatchObject({
      correlationid: 'checkout-42',
      causationid: incoming.id,
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
  });

  it('delays natively up to the transport maximum and carries the due time beyond it', async () => {
    const { bus, dispatcher } = busFor(Services.order, 60_000);
    await bus.send(ReserveStock, { orderId, items: [{ sku: 'TEE-M', quantity: 1 }] }, { delayMs: 30_000 });
    expect(dispatcher.sent[0]?.message.notBefore).toBe(1_030_000);
    expect(dispatcher.sent[0]?.message.headers).toBeUndefined();
    await bus.send(ReserveStock, { orderId, items: [{ sku: 'TEE-M', quantity: 1 }] }, { delayMs: 3_600_000 });
    expect(dispatcher.sent[1]?.message.notBefore).toBe(1_060_000);
    expect(dispatcher.sent[1]?.message.headers).toEqual({ [DELIVER_AT_HEADER]: String(4_600_000) });
  });
});
