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
  StockReservationFailed,
  StockReserved,
  UserSignedUp,
} from '@stitch/contracts';
import type { MessageData } from '@stitch/messaging-catalogue';
import type { Envelope } from '@stitch/messaging-core';
import { until } from '@stitch/waiting-testing';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { OrderServiceHarness } from '../../test/support/order-service-harness';

/**
 * Two replicas of the order service on one database, each handling one message at a time, so two replies for
 * one order are handled by two replicas at once. The test makes the race certain rather than likely: it holds
 * the order's row lock in a transaction of its own while both replicas read the order (the same version) and
 * decide, so both then wait on their conditional update; it lets go once both wait. PostgreSQL then lets the
 * first waiter's update through; the second's finds the version moved on.
 */
let shop: OrderServiceHarness;

beforeAll(async () => {
  shop = await OrderServiceHarness.start({ replicas: 2, env: { MESSAGING_CONCURRENCY: '1' } });
});

afterAll(async () => {
  await shop?.stop();
});

const paymentMethod = { token: 'tok_test_visa', last4: '4242' };
const items = [{ sku: 'TEE-M', quantity: 2, unitPriceCents: 1_500 }];
const about = (orderId: string) => (data: { orderId: string }) => data.orderId === orderId;
const mailAbout = (orderId: string) => (data: MessageData<typeof SendEmail>) => data.params['orderId'] === orderId;

async function placedOrder(): Promise<{ orderId: string; user: MessageData<typeof UserSignedUp> }> {
  const user = { userId: randomUUID(), email: `race-${Date.now()}@example.com`, name: 'Race' };
  await shop.settled((await shop.storefront.publish(UserSignedUp, user)).id);
  const orderId = randomUUID();
  const placed = await shop.storefront.send(PlaceOrder, { orderId, userId: user.userId, items, paymentMethod });
  await shop.settled(placed.id);
  expect(shop.sent(ReserveStock, about(orderId))).toHaveLength(1);
  return { orderId, user };
}

/** Sessions of the order database waiting for a row lock on the order table: replicas blocked in their update. */
async function blockedUpdates(): Promise<number> {
  const rows = await shop.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE 'UPDATE%"order"%'`,
  );
  return Number(rows[0]?.['n']);
}

/** Holds the order's row lock, as a transaction that took it first would, until `release` is called. */
async function holdOrderRow(orderId: string): Promise<{ release: () => Promise<void> }> {
  const client: pg.Client = await shop.connect();
  await client.query('BEGIN');
  await client.query('SELECT id FROM "order" WHERE id = $1 FOR UPDATE', [orderId]);
  return {
    release: async () => {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

/**
 * Delivers `first`, waits until a replica has read the order and waits on its update, then `second` likewise
 * (on the other replica, the first being busy), then lets both go: `first` wins, `second` loses the race.
 */
async function race(orderId: string, first: () => Promise<Envelope>, second: () => Promise<Envelope>): Promise<[Envelope, Envelope]> {
  const lock = await holdOrderRow(orderId);
  try {
    const winner = await first();
    await until('the first delivery to block on the order row', async () => (await blockedUpdates()) === 1, { timeoutMs: 10_000 });
    const loser = await second();
    await until('the second delivery to block on the order row too', async () => (await blockedUpdates()) === 2, {
      timeoutMs: 10_000,
      state: async () => `${await blockedUpdates()} updates blocked`,
    });
    await lock.release();
    return [winner, loser];
  } catch (error) {
    await lock.release();
    throw error;
  }
}

const outcomes = (envelope: Envelope) => shop.flow.filter((record) => record.messageId === envelope.id);

describe('two replicas deciding on the same version of an order', () => {
  it('lets the first transition through; the second conflicts, is retried, re-reads and decides on the new state', async () => {
    const { orderId } = await placedOrder();
    const line = [{ sku: 'TEE-M', quantity: 2 }];

    const [reserved, failed] = await race(
      orderId,
      () => shop.inventory.publish(StockReserved, { orderId, items: line }),
      () =>
        shop.inventory.publish(StockReservationFailed, {
          orderId,
          reason: 'insufficient stock',
          shortages: [{ sku: 'TEE-M', requested: 2, available: 0 }],
        }),
    );
    await shop.settled(reserved.id);
    await shop.settled(failed.id);

    // Both were taken at once, by the two replicas.
    const [winnerFirst] = outcomes(reserved);
    const [loserFirst] = outcomes(failed);
    expect(winnerFirst?.instance).not.toBe(loserFirst?.instance);
    // StockReserved moved the order on; StockReservationFailed lost the race, was retried, and on the order as it
    // now is (awaiting payment, version 2) there is nothing left for it to do.
    expect(outcomes(reserved).map((record) => record.outcome)).toEqual(['handled']);
    expect(outcomes(failed).map((record) => record.outcome)).toEqual(['retried', 'handled']);

    // Exactly what handling the two one after the other gives.
    expect(await shop.orderRow(orderId)).toEqual({ status: 'pending', reason: null, stock_reserved: true, version: 2 });
    expect(shop.sent(ChargePayment, about(orderId))).toEqual([{ orderId, amountCents: 3_000, currency: 'EUR', paymentMethod }]);
    expect(shop.sent(OrderCancelled, about(orderId))).toEqual([]);
    expect(shop.sent(OrderConfirmed, about(orderId))).toEqual([]);
    expect(shop.sent(ReleaseStock, about(orderId))).toEqual([]);
    expect(shop.sent(SendEmail, mailAbout(orderId))).toEqual([]);
  }, 60_000);

  it("loses no compensation when the order's expiry races its StockReserved: the expiry, retried, releases the stock", async () => {
    const { orderId, user } = await placedOrder();

    const [reserved, expiry] = await race(
      orderId,
      () => shop.inventory.publish(StockReserved, { orderId, items: [{ sku: 'TEE-M', quantity: 2 }] }),
      () => shop.orderService.send(ExpireOrder, { orderId, timeoutMs: 600_000 }),
    );
    await shop.settled(reserved.id);
    await shop.settled(expiry.id);

    expect(outcomes(reserved).map((record) => record.outcome)).toEqual(['handled']);
    expect(outcomes(expiry).map((record) => record.outcome)).toEqual(['retried', 'handled']);
    // As if StockReserved had come first and the expiry a moment later: charged, then cancelled with the stock back.
    const reason = 'Not completed within 10 minutes (still waiting for payment)';
    expect(await shop.orderRow(orderId)).toEqual({ status: 'cancelled', reason, stock_reserved: false, version: 3 });
    expect(shop.sent(ChargePayment, about(orderId))).toHaveLength(1);
    expect(shop.sent(ReleaseStock, about(orderId))).toEqual([{ orderId, reason }]);
    expect(shop.sent(OrderCancelled, about(orderId))).toEqual([{ orderId, userId: user.userId, reason, version: 3 }]);
    expect(shop.sent(SendEmail, mailAbout(orderId))).toHaveLength(1);

    // The charge already asked for then succeeds: it is given back, and the order stays cancelled.
    const paid = await shop.payment.publish(PaymentSucceeded, { orderId, chargeId: 'ch_race_1', amountCents: 3_000 });
    await shop.settled(paid.id);
    expect(shop.sent(RefundPayment, about(orderId))).toEqual([
      expect.objectContaining({ orderId, chargeId: 'ch_race_1', amountCents: 3_000 }),
    ]);
    expect(shop.sent(OrderConfirmed, about(orderId))).toEqual([]);
    expect(await shop.orderRow(orderId)).toMatchObject({ status: 'cancelled', version: 3 });
  }, 60_000);
});
