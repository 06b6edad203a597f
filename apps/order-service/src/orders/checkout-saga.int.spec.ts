import {
  ChargePayment,
  OrderCancelled,
  OrderConfirmed,
  OrderPlaced,
  PaymentFailed,
  PaymentSucceeded,
  PlaceOrder,
  ReleaseStock,
  ReserveStock,
  SendEmail,
  StockReservationFailed,
  StockReserved,
  UserSignedUp,
} from '@stitch/contracts';
import type { MessageData } from '@stitch/messaging-catalogue';
import { Database } from '@stitch/persistence';
import { until } from '@stitch/waiting-testing';
import { randomUUID } from 'node:crypto';
import { OrderServiceHarness } from '../../test/support/order-service-harness';
import type { PrismaClient } from '../generated/prisma/client';
import { OrdersRepository } from './orders.repository';

let shop: OrderServiceHarness;

beforeAll(async () => {
  shop = await OrderServiceHarness.start();
});

afterAll(async () => {
  await shop?.stop();
});

const paymentMethod = { token: 'tok_test_visa', last4: '4242' };
const items = [
  { sku: 'TEE-M', quantity: 2, unitPriceCents: 1_500 },
  { sku: 'CAP-1', quantity: 1, unitPriceCents: 900 },
];

/** A user the order service has heard of, as the storefront's sign-up would introduce them. */
async function signedUpUser(name = 'Ada'): Promise<MessageData<typeof UserSignedUp>> {
  const user = { userId: randomUUID(), email: `${name.toLowerCase()}-${Date.now()}@example.com`, name };
  const envelope = await shop.storefront.publish(UserSignedUp, user);
  await shop.settled(envelope.id);
  return user;
}

/** An order placed and stored, its stock asked for. */
async function placedOrder(user: MessageData<typeof UserSignedUp>): Promise<string> {
  const orderId = randomUUID();
  await shop.storefront.send(PlaceOrder, { orderId, userId: user.userId, items, paymentMethod });
  await until(`ReserveStock for order ${orderId}`, () => shop.sent(ReserveStock, (data) => data.orderId === orderId).length === 1);
  return orderId;
}

/** An order whose stock is held, waiting for its payment. */
async function orderAwaitingPayment(user: MessageData<typeof UserSignedUp>): Promise<string> {
  const orderId = await placedOrder(user);
  await shop.inventory.publish(StockReserved, { orderId, items: items.map(({ sku, quantity }) => ({ sku, quantity })) });
  await until(`ChargePayment for order ${orderId}`, () => shop.sent(ChargePayment, (data) => data.orderId === orderId).length === 1);
  return orderId;
}

const about = (orderId: string) => (data: { orderId: string }) => data.orderId === orderId;
const mailAbout = (orderId: string) => (data: MessageData<typeof SendEmail>) => data.params['orderId'] === orderId;

describe('the checkout saga', () => {
  it('places, reserves, charges and confirms an order, announcing each step with its version', async () => {
    const user = await signedUpUser('Ada');
    const orderId = randomUUID();

    await shop.storefront.send(PlaceOrder, { orderId, userId: user.userId, items, paymentMethod });
    await until(
      'ReserveStock and OrderPlaced for the order',
      () => shop.sent(ReserveStock, about(orderId)).length === 1 && shop.sent(OrderPlaced, about(orderId)).length === 1,
    );
    expect(shop.sent(OrderPlaced, about(orderId))).toEqual([{ orderId, userId: user.userId, items, totalCents: 3_900, version: 1 }]);
    expect(shop.sent(ReserveStock, about(orderId))).toEqual([
      {
        orderId,
        items: [
          { sku: 'TEE-M', quantity: 2 },
          { sku: 'CAP-1', quantity: 1 },
        ],
      },
    ]);
    expect(await shop.orderRow(orderId)).toEqual({ status: 'pending', reason: null, stock_reserved: false, version: 1 });

    await shop.inventory.publish(StockReserved, {
      orderId,
      items: [
        { sku: 'TEE-M', quantity: 2 },
        { sku: 'CAP-1', quantity: 1 },
      ],
    });
    await until('ChargePayment for the order', () => shop.sent(ChargePayment, about(orderId)).length === 1);
    expect(shop.sent(ChargePayment, about(orderId))).toEqual([{ orderId, amountCents: 3_900, currency: 'EUR', paymentMethod }]);
    expect(await shop.orderRow(orderId)).toEqual({ status: 'pending', reason: null, stock_reserved: true, version: 2 });

    await shop.payment.publish(PaymentSucceeded, { orderId, chargeId: 'ch_test_1', amountCents: 3_900 });
    await until(
      'OrderConfirmed and its mail',
      () => shop.sent(OrderConfirmed, about(orderId)).length === 1 && shop.sent(SendEmail, mailAbout(orderId)).length === 1,
    );
    expect(shop.sent(OrderConfirmed, about(orderId))).toEqual([{ orderId, userId: user.userId, totalCents: 3_900, version: 3 }]);
    expect(shop.sent(SendEmail, mailAbout(orderId))).toEqual([
      { to: user.email, template: 'order-confirmed', params: { orderId, totalCents: 3_900, name: 'Ada' } },
    ]);
    expect(await shop.orderRow(orderId)).toEqual({ status: 'confirmed', reason: null, stock_reserved: true, version: 3 });
    expect(shop.sent(ReleaseStock, about(orderId))).toEqual([]);
    expect(shop.sent(OrderCancelled, about(orderId))).toEqual([]);
  });

  it('gives the stock back when the payment fails, cancels with the reason and tells the customer', async () => {
    const user = await signedUpUser('Grace');
    const orderId = await orderAwaitingPayment(user);

    await shop.payment.publish(PaymentFailed, { orderId, reason: 'card declined' });

    // The relay sends the command and the event separately: wait for each, not for the event alone.
    await until(
      'ReleaseStock, OrderCancelled and the cancellation mail',
      () =>
        shop.sent(ReleaseStock, about(orderId)).length === 1 &&
        shop.sent(OrderCancelled, about(orderId)).length === 1 &&
        shop.sent(SendEmail, mailAbout(orderId)).length === 1,
    );
    const reason = 'Payment failed: card declined';
    expect(shop.sent(ReleaseStock, about(orderId))).toEqual([{ orderId, reason }]);
    expect(shop.sent(OrderCancelled, about(orderId))).toEqual([{ orderId, userId: user.userId, reason, version: 3 }]);
    expect(shop.sent(SendEmail, mailAbout(orderId))).toEqual([
      { to: user.email, template: 'order-cancelled', params: { orderId, reason, name: 'Grace' } },
    ]);
    expect(await shop.orderRow(orderId)).toEqual({ status: 'cancelled', reason, stock_reserved: false, version: 3 });
    expect(shop.sent(OrderConfirmed, about(orderId))).toEqual([]);
  });

  it('cancels without releasing anything when the stock cannot be reserved, naming what was short', async () => {
    const user = await signedUpUser('Alan');
    const orderId = await placedOrder(user);

    const failed = await shop.inventory.publish(StockReservationFailed, {
      orderId,
      reason: 'insufficient stock',
      shortages: [{ sku: 'TEE-M', requested: 2, available: 0 }],
    });

    await until(
      'OrderCancelled and its mail',
      () => shop.sent(OrderCancelled, about(orderId)).length === 1 && shop.sent(SendEmail, mailAbout(orderId)).length === 1,
    );
    const reason = 'Not enough stock: TEE-M (2 ordered, 0 available)';
    expect(shop.sent(OrderCancelled, about(orderId))).toEqual([{ orderId, userId: user.userId, reason, version: 2 }]);
    expect(shop.sent(SendEmail, mailAbout(orderId))).toEqual([
      { to: user.email, template: 'order-cancelled', params: { orderId, reason, name: 'Alan' } },
    ]);
    expect(await shop.orderRow(orderId)).toEqual({ status: 'cancelled', reason, stock_reserved: false, version: 2 });
    await shop.settled(failed.id);
    expect(shop.sent(ReleaseStock, about(orderId))).toEqual([]);
    expect(shop.sent(ChargePayment, about(orderId))).toEqual([]);
  });

  it('retries a PlaceOrder that overtook its UserSignedUp, and places it once the user is known', async () => {
    const user = { userId: randomUUID(), email: 'late@example.com', name: 'Late' };
    const orderId = randomUUID();

    const placed = await shop.storefront.send(PlaceOrder, { orderId, userId: user.userId, items, paymentMethod });
    await shop.settled(placed.id, 'retried');
    expect(await shop.orderRow(orderId)).toBeUndefined();
    expect(shop.sent(OrderPlaced, about(orderId))).toEqual([]);

    await shop.storefront.publish(UserSignedUp, user);

    await until('ReserveStock once the user is known', () => shop.sent(ReserveStock, about(orderId)).length === 1, { timeoutMs: 15_000 });
    await shop.settled(placed.id);
    expect(shop.sent(OrderPlaced, about(orderId))).toEqual([expect.objectContaining({ orderId, userId: user.userId, version: 1 })]);
    expect(await shop.orderRow(orderId)).toMatchObject({ status: 'pending', version: 1 });
    expect(shop.flow.filter((record) => record.messageId === placed.id && record.outcome === 'dead-lettered')).toEqual([]);
  });

  it('dead-letters a PlaceOrder whose user never signs up, naming the user, once the retries are spent', async () => {
    const userId = randomUUID();
    const placed = await shop.storefront.send(PlaceOrder, { orderId: randomUUID(), userId, items, paymentMethod });

    await shop.settled(placed.id, 'dead-lettered');

    const [dead] = (await shop.transport.deadLetters.list({ kind: 'queue', name: 'order-service' })).filter(
      (d) => d.message.messageId === placed.id,
    );
    expect(dead?.reason).toContain(`user ${userId} is not known`);
    expect(dead?.attempts).toBe(8);
  }, 60_000);

  it('takes a repeated PlaceOrder, with a new message id, as the order it already has', async () => {
    const user = await signedUpUser('Edsger');
    const orderId = await placedOrder(user);

    const again = await shop.storefront.send(PlaceOrder, { orderId, userId: user.userId, items, paymentMethod });
    await shop.settled(again.id);

    expect(shop.sent(OrderPlaced, about(orderId))).toHaveLength(1);
    expect(shop.sent(ReserveStock, about(orderId))).toHaveLength(1);
  });

  it('gives a duplicated reply no second effect, whether redelivered or published again', async () => {
    const user = await signedUpUser('Barbara');
    const orderId = await orderAwaitingPayment(user);

    // The same StockReserved published again (a new message id): the saga is past it, so the guard ignores it.
    const repeated = await shop.inventory.publish(StockReserved, { orderId, items: [{ sku: 'TEE-M', quantity: 2 }] });
    await shop.settled(repeated.id);
    expect(shop.sent(ChargePayment, about(orderId))).toHaveLength(1);
    expect(await shop.orderRow(orderId)).toMatchObject({ status: 'pending', stock_reserved: true, version: 2 });

    // The same PaymentSucceeded delivered twice (one message id): the inbox absorbs the repeat, recorded as a duplicate.
    const paid = await shop.payment.publish(PaymentSucceeded, { orderId, chargeId: 'ch_test_2', amountCents: 3_900 });
    await shop.settled(paid.id);
    await shop.redeliver(paid, 'topic');
    await shop.settled(paid.id, 'duplicate');
    expect(shop.flow.filter((record) => record.messageId === paid.id).map((record) => record.outcome)).toEqual(['handled', 'duplicate']);

    // A PaymentFailed arriving after the confirmation: too late to change anything.
    const late = await shop.payment.publish(PaymentFailed, { orderId, reason: 'timed out' });
    await shop.settled(late.id);

    expect(shop.sent(OrderConfirmed, about(orderId))).toEqual([{ orderId, userId: user.userId, totalCents: 3_900, version: 3 }]);
    expect(shop.sent(SendEmail, mailAbout(orderId))).toHaveLength(1);
    expect(shop.sent(ReleaseStock, about(orderId))).toEqual([]);
    expect(shop.sent(OrderCancelled, about(orderId))).toEqual([]);
    expect(await shop.orderRow(orderId)).toEqual({ status: 'confirmed', reason: null, stock_reserved: true, version: 3 });
  });

  it('charges once when one reply reaches the order twice at the same moment', async () => {
    const user = await signedUpUser('Tony');
    const orderId = await placedOrder(user);
    const reserved = {
      orderId,
      items: [
        { sku: 'TEE-M', quantity: 2 },
        { sku: 'CAP-1', quantity: 1 },
      ],
    };

    const [first, second] = await Promise.all([
      shop.inventory.publish(StockReserved, reserved),
      shop.inventory.publish(StockReserved, reserved),
    ]);
    await shop.settled(first.id);
    await shop.settled(second.id);

    expect(shop.sent(ChargePayment, about(orderId))).toHaveLength(1);
    expect(await shop.orderRow(orderId)).toMatchObject({ stock_reserved: true, version: 2 });
  });

  it('lets only one of two concurrent transitions from the same version through', async () => {
    const user = await signedUpUser('Leslie');
    const orderId = await placedOrder(user);
    const orders = shop.app.get(OrdersRepository);
    const db = shop.app.get<Database<PrismaClient>>(Database);
    const from = { status: 'pending', stockReserved: false, version: 1 } as const;
    const to = { status: 'pending', stockReserved: true, version: 2 } as const;

    const applied = await Promise.all([
      db.transaction(() => orders.transition(orderId, from, to)),
      db.transaction(() => orders.transition(orderId, from, to)),
    ]);

    expect(applied.sort()).toEqual([false, true]);
    expect(await shop.orderRow(orderId)).toMatchObject({ stock_reserved: true, version: 2 });
  });

  it('ignores a reply for an order it never placed', async () => {
    const orderId = randomUUID();

    const stray = await shop.payment.publish(PaymentSucceeded, { orderId, chargeId: 'ch_stray', amountCents: 100 });
    await shop.settled(stray.id);

    expect(await shop.orderRow(orderId)).toBeUndefined();
    expect(shop.received.filter((envelope) => JSON.stringify(envelope.data).includes(orderId))).toEqual([]);
  });
});
