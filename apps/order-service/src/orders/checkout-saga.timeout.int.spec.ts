import {
  ChargePayment,
  ExpireOrder,
  OrderCancelled,
  OrderConfirmed,
  PaymentSucceeded,
  PlaceOrder,
  RefundPayment,
  ReleaseStock,
  ReserveStock,
  SendEmail,
  StockReserved,
  UserSignedUp,
} from '@stitch/contracts';
import type { MessageData } from '@stitch/messaging-catalogue';
import type { Envelope } from '@stitch/messaging-core';
import { envelopeOf } from '@stitch/messaging-testing';
import { until } from '@stitch/waiting-testing';
import { randomUUID } from 'node:crypto';
import { OrderServiceHarness } from '../../test/support/order-service-harness';

/**
 * Orders time out after 1.5 s here, on a transport that delays by at most 0.4 s, as SQS delays by at most 15
 * minutes while a timeout may be longer: the ExpireOrder then comes back early and is sent on until it is due.
 */
const TIMEOUT_MS = 1_500;
const MAX_DELAY_MS = 400;

let shop: OrderServiceHarness;
let sends: jest.SpyInstance;

beforeAll(async () => {
  shop = await OrderServiceHarness.start({ maxDelayMs: MAX_DELAY_MS, env: { ORDER_TIMEOUT_MS: String(TIMEOUT_MS) } });
  sends = jest.spyOn(shop.transport, 'send');
});

afterAll(async () => {
  await shop?.stop();
});

const paymentMethod = { token: 'tok_test_visa', last4: '4242' };
const items = [{ sku: 'TEE-M', quantity: 2, unitPriceCents: 1_500 }];
const about = (orderId: string) => (data: { orderId: string }) => data.orderId === orderId;
const mailAbout = (orderId: string) => (data: MessageData<typeof SendEmail>) => data.params['orderId'] === orderId;

async function placedOrder(): Promise<{ orderId: string; userId: string; placedAt: number }> {
  const user = { userId: randomUUID(), email: `slow-${Date.now()}@example.com`, name: 'Slow' };
  await shop.settled((await shop.storefront.publish(UserSignedUp, user)).id);
  const orderId = randomUUID();
  const placedAt = Date.now();
  await shop.storefront.send(PlaceOrder, { orderId, userId: user.userId, items, paymentMethod });
  await until(`ReserveStock for order ${orderId}`, () => shop.sent(ReserveStock, about(orderId)).length === 1);
  return { orderId, userId: user.userId, placedAt };
}

/** Every time the order's ExpireOrder went onto the transport: first from the outbox, then each re-deferral. */
function expirySends(orderId: string): Envelope[] {
  return sends.mock.calls.flatMap(([, messages]) =>
    (messages as Array<{ type: string; body: string }>)
      .filter((message) => message.type === ExpireOrder.type)
      .map((message) => envelopeOf(message.body))
      .filter((envelope) => (envelope.data as { orderId: string }).orderId === orderId),
  );
}

async function expired(orderId: string): Promise<void> {
  await until(`ExpireOrder for order ${orderId}`, () => expirySends(orderId).length > 0, { timeoutMs: 5_000 });
  await shop.settled(expirySends(orderId)[0]!.id, 'handled');
}

describe('an order that does not complete in time', () => {
  it('is cancelled with its stock released when its payment never answers, only once the whole timeout has passed', async () => {
    const { orderId, userId, placedAt } = await placedOrder();
    await shop.inventory.publish(StockReserved, { orderId, items: [{ sku: 'TEE-M', quantity: 2 }] });
    await until('ChargePayment for the order', () => shop.sent(ChargePayment, about(orderId)).length === 1);

    await until('the order cancelled by its timeout', () => shop.sent(OrderCancelled, about(orderId)).length === 1, { timeoutMs: 10_000 });
    const cancelledAt = Date.now();
    await expired(orderId);

    const reason = 'Not completed within 1500 ms (still waiting for payment)';
    expect(shop.sent(ReleaseStock, about(orderId))).toEqual([{ orderId, reason }]);
    expect(shop.sent(OrderCancelled, about(orderId))).toEqual([{ orderId, userId, reason, version: 3 }]);
    expect(shop.sent(SendEmail, mailAbout(orderId))).toEqual([
      expect.objectContaining({ template: 'order-cancelled', params: expect.objectContaining({ reason }) }),
    ]);
    expect(await shop.orderRow(orderId)).toEqual({ status: 'cancelled', reason, stock_reserved: false, version: 3 });
    // Not before the full timeout, though the transport delays 400 ms at most: the expiry came back early and
    // was sent on, under its own id, until it was due.
    expect(cancelledAt - placedAt).toBeGreaterThanOrEqual(TIMEOUT_MS);
    const hops = expirySends(orderId);
    expect(hops.length).toBeGreaterThanOrEqual(Math.ceil(TIMEOUT_MS / MAX_DELAY_MS));
    expect(new Set(hops.map((envelope) => envelope.id)).size).toBe(1);
  }, 30_000);

  it('refunds a payment that succeeds after the timeout cancelled the order, and stays cancelled', async () => {
    const { orderId } = await placedOrder();
    await shop.inventory.publish(StockReserved, { orderId, items: [{ sku: 'TEE-M', quantity: 2 }] });
    await until('the order cancelled by its timeout', () => shop.sent(OrderCancelled, about(orderId)).length === 1, { timeoutMs: 10_000 });

    const late = await shop.payment.publish(PaymentSucceeded, { orderId, chargeId: 'ch_late_1', amountCents: 3_000 });
    await shop.settled(late.id);

    expect(shop.sent(RefundPayment, about(orderId))).toEqual([
      {
        orderId,
        chargeId: 'ch_late_1',
        amountCents: 3_000,
        reason: `Order ${orderId} was already cancelled: Not completed within 1500 ms (still waiting for payment)`,
      },
    ]);
    expect(shop.sent(OrderConfirmed, about(orderId))).toEqual([]);
    expect(await shop.orderRow(orderId)).toMatchObject({ status: 'cancelled', version: 3 });
  }, 30_000);

  it('releases stock reserved after the timeout cancelled the order while it waited for the stock', async () => {
    const { orderId, userId } = await placedOrder();
    await until('the order cancelled by its timeout', () => shop.sent(OrderCancelled, about(orderId)).length === 1, { timeoutMs: 10_000 });
    const reason = 'Not completed within 1500 ms (still waiting for stock)';
    expect(shop.sent(OrderCancelled, about(orderId))).toEqual([{ orderId, userId, reason, version: 2 }]);
    expect(shop.sent(ReleaseStock, about(orderId))).toEqual([]);

    const late = await shop.inventory.publish(StockReserved, { orderId, items: [{ sku: 'TEE-M', quantity: 2 }] });
    await shop.settled(late.id);

    expect(shop.sent(ReleaseStock, about(orderId))).toEqual([{ orderId, reason: `Order ${orderId} was already cancelled: ${reason}` }]);
    expect(shop.sent(ChargePayment, about(orderId))).toEqual([]);
    expect(await shop.orderRow(orderId)).toMatchObject({ status: 'cancelled', version: 2 });
  }, 30_000);

  it('leaves an order confirmed in time as it is when its expiry arrives', async () => {
    const { orderId } = await placedOrder();
    await shop.inventory.publish(StockReserved, { orderId, items: [{ sku: 'TEE-M', quantity: 2 }] });
    await until('ChargePayment for the order', () => shop.sent(ChargePayment, about(orderId)).length === 1);
    await shop.payment.publish(PaymentSucceeded, { orderId, chargeId: 'ch_in_time', amountCents: 3_000 });
    await until('OrderConfirmed for the order', () => shop.sent(OrderConfirmed, about(orderId)).length === 1);

    await expired(orderId);

    expect(shop.sent(OrderCancelled, about(orderId))).toEqual([]);
    expect(shop.sent(ReleaseStock, about(orderId))).toEqual([]);
    expect(shop.sent(RefundPayment, about(orderId))).toEqual([]);
    expect(await shop.orderRow(orderId)).toMatchObject({ status: 'confirmed', version: 3 });
  }, 30_000);
});
