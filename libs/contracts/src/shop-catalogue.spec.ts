import { Services } from '@stitch/manifest';
import { ChargePayment, ExpireOrder, PlaceOrder, RefundPayment, ReleaseStock, ReserveStock, SendEmail } from './commands';
import { OrderPlaced, UserSignedUp } from './events';
import { shopCatalogue } from './shop-catalogue';

describe('shop catalogue', () => {
  it('names commands imperatively and events in the past tense, with the version in the type', () => {
    for (const message of shopCatalogue.messages) {
      expect(message.type).toMatch(/\.v\d+$/);
      if (message.kind === 'command') expect(message.name).not.toMatch(/ed$/);
      else expect(message.name).toMatch(/(ed|Up|Failed|Sent)$/);
    }
  });

  it('gives each command its owner queue and each subscriber a subscription filtered on its types', () => {
    const topology = shopCatalogue.topology();
    const expected = { queues: new Map<string, string[]>(), subscriptions: new Map<string, string[]>() };
    const add = (routes: Map<string, string[]>, service: string, type: string) =>
      routes.set(service, [...(routes.get(service) ?? []), type]);
    for (const message of shopCatalogue.messages) {
      if (message.kind === 'command') add(expected.queues, message.owner, message.type);
      else for (const subscriber of message.subscribers) add(expected.subscriptions, subscriber, message.type);
    }
    expect(Object.fromEntries(topology.queues.map((q) => [q.name, q.types]))).toEqual(Object.fromEntries(expected.queues));
    expect(Object.fromEntries(topology.topic.subscriptions.map((s) => [s.name, s.types]))).toEqual(
      Object.fromEntries(expected.subscriptions),
    );
  });

  // The shop's routes as designed, in catalogue order; a message added later appends to them.
  const routesOf = (routes: readonly { name: string; types: readonly string[] }[], name: string, length: number) =>
    routes.find((route) => route.name === name)?.types.slice(0, length);

  it("routes the shop's commands to their owners and its events to their subscribers", () => {
    const topology = shopCatalogue.topology();
    expect(topology.queues.map((q) => q.name)).toEqual(
      expect.arrayContaining([Services.order, Services.inventory, Services.payment, Services.email]),
    );
    expect(routesOf(topology.queues, Services.inventory, 2)).toEqual(['inventory.reserve-stock.v1', 'inventory.release-stock.v1']);

    const subscriptions = topology.topic.subscriptions;
    expect(subscriptions.map((s) => s.name)).toEqual(expect.arrayContaining([Services.email, Services.notification, Services.order]));
    expect(routesOf(subscriptions, Services.email, 1)).toEqual([UserSignedUp.type]);
    expect(routesOf(subscriptions, Services.notification, 4)).toEqual([
      UserSignedUp.type,
      OrderPlaced.type,
      'order.order-confirmed.v1',
      'order.order-cancelled.v1',
    ]);
  });

  it("queues the order service's own timeout with its commands, and refunds with the payment service's", () => {
    const queues = shopCatalogue.topology().queues;
    expect(routesOf(queues, Services.order, 2)).toEqual(['order.place-order.v1', 'order.expire-order.v1']);
    expect(routesOf(queues, Services.payment, 2)).toEqual(['payment.charge-payment.v1', 'payment.refund-payment.v1']);
    expect(shopCatalogue.find('payment.payment-refunded.v1')).toMatchObject({
      kind: 'event',
      publisher: Services.payment,
      subscribers: [],
    });
  });

  it('lets the storefront send PlaceOrder and the order service the commands of its checkout, itself included', () => {
    const designed = [PlaceOrder, ExpireOrder, ReserveStock, ReleaseStock, ChargePayment, RefundPayment, SendEmail];
    expect(Object.fromEntries(designed.map((command) => [command.name, command.senders]))).toEqual({
      PlaceOrder: [Services.storefront],
      ExpireOrder: [Services.order],
      ReserveStock: [Services.order],
      ReleaseStock: [Services.order],
      ChargePayment: [Services.order],
      RefundPayment: [Services.order],
      SendEmail: [Services.order],
    });
    expect(shopCatalogue.commandsSentBy(Services.storefront)[0]).toBe(PlaceOrder);
  });

  it('sets the broker limit one above the consumer maximum', () => {
    const order = shopCatalogue.topology().queues.find((q) => q.name === Services.order);
    expect(order).toMatchObject({ maxAttempts: 8, maxDeliveryCount: 9 });
    for (const sub of shopCatalogue.topology().topic.subscriptions) expect(sub.maxDeliveryCount).toBe(sub.maxAttempts + 1);
  });

  it('accepts a token and last four digits but never a card number', () => {
    const valid = {
      orderId: '3b241101-e2bb-4255-8caf-4136c566a962',
      userId: '3b241101-e2bb-4255-8caf-4136c566a963',
      items: [{ sku: 'TEE-WHITE-M', quantity: 2, unitPriceCents: 1500 }],
      paymentMethod: { token: 'tok_visa_4242', last4: '4242' },
    };
    expect(PlaceOrder.schema.safeParse(valid).success).toBe(true);
    const withCard = { ...valid, paymentMethod: { ...valid.paymentMethod, number: '4000000000000002' } };
    expect(PlaceOrder.schema.safeParse(withCard).success).toBe(false);
  });

  it.each([
    ['a NUL in the name', { name: 'Ada\u0000' }, 'name', 'must not contain control characters'],
    ['a line break in the name', { name: 'Ada\r\nBcc: x@example.com' }, 'name', 'must not contain control characters'],
    ['an unpaired surrogate in the name', { name: 'Ada \ud800' }, 'name', 'must not contain unpaired surrogates (not valid Unicode)'],
    [
      'an address of 255 characters',
      { email: `${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.eee.com` },
      'email',
      'an email address has at most 254 characters',
    ],
  ])('refuses %s in UserSignedUp, naming the field', (_, change, field, message) => {
    const valid = { userId: '0190f0c4-7c2b-7000-8000-000000000001', email: 'ada@example.com', name: 'Ada Lovelace' };
    if ('email' in change) expect(change.email).toHaveLength(255);
    expect(UserSignedUp.schema.safeParse(valid).success).toBe(true);
    const result = UserSignedUp.schema.safeParse({ ...valid, ...change });
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([[field, message]]);
  });

  it('rejects a bad e-mail address naming the field', () => {
    const result = SendEmail.schema.safeParse({ to: 'not-an-address', template: 'welcome', params: {} });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['to']);
  });
});
