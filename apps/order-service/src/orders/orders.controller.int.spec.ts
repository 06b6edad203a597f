import { PlaceOrder, ReserveStock, StockReservationFailed, UserSignedUp } from '@stitch/contracts';
import { until } from '@stitch/waiting-testing';
import { randomUUID } from 'node:crypto';
import { OrderServiceHarness } from '../../test/support/order-service-harness';

let shop: OrderServiceHarness;
const user = { userId: randomUUID(), email: 'ada@example.com', name: 'Ada' };
const items = [
  { sku: 'TEE-M', quantity: 2, unitPriceCents: 1_500 },
  { sku: 'CAP-1', quantity: 1, unitPriceCents: 900 },
];

beforeAll(async () => {
  shop = await OrderServiceHarness.start();
  await shop.settled((await shop.storefront.publish(UserSignedUp, user)).id);
});

afterAll(async () => {
  await shop?.stop();
});

async function placedOrder(userId = user.userId): Promise<string> {
  return (await placedOrderWithCorrelation(userId)).orderId;
}

/** Places an order as the storefront does; the correlation id is the one its PlaceOrder carried. */
async function placedOrderWithCorrelation(userId: string): Promise<{ orderId: string; correlationId: string }> {
  const orderId = randomUUID();
  const sent = await shop.storefront.send(PlaceOrder, { orderId, userId, items, paymentMethod: { token: 'tok_test_visa', last4: '4242' } });
  await until(`ReserveStock for order ${orderId}`, () => shop.sent(ReserveStock, (data) => data.orderId === orderId).length === 1);
  return { orderId, correlationId: sent.correlationId };
}

const placedAt = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

describe('GET /orders/:id', () => {
  it('answers a stored order with its customer, its lines in the order placed, its total and version, and no payment details', async () => {
    const { orderId, correlationId } = await placedOrderWithCorrelation(user.userId);

    const response = await shop.request(`/orders/${orderId}`);

    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toEqual({
      orderId,
      userId: user.userId,
      status: 'pending',
      items,
      totalCents: 3_900,
      version: 1,
      correlationId,
      placedAt,
    });
  });

  it('gives the reason of a cancelled order', async () => {
    const orderId = await placedOrder();
    const failed = await shop.inventory.publish(StockReservationFailed, {
      orderId,
      reason: 'out of stock',
      shortages: [{ sku: 'CAP-1', requested: 1, available: 0 }],
    });
    await shop.settled(failed.id);

    const body = await (await shop.request(`/orders/${orderId}`)).json();

    expect(body).toEqual({
      orderId,
      userId: user.userId,
      status: 'cancelled',
      reason: 'Not enough stock: CAP-1 (1 ordered, 0 available)',
      items,
      totalCents: 3_900,
      version: 2,
      correlationId: expect.any(String),
      placedAt,
    });
  });

  it('answers 404 with a JSON body naming an id it does not know', async () => {
    const orderId = randomUUID();

    const response = await shop.request(`/orders/${orderId}`);

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ statusCode: 404, error: 'Not Found', message: `order ${orderId} not found` });
  });

  it('answers 400 with a JSON body naming the id when it is not a UUID', async () => {
    const response = await shop.request('/orders/not-a-uuid');

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: 'id must be a UUID' });
  });
});

describe('GET /orders?customerId=', () => {
  it('lists one customer’s orders, newest first, each with its checkout’s correlation id and when it was placed', async () => {
    const customer = { userId: randomUUID(), email: 'grace@example.com', name: 'Grace' };
    await shop.settled((await shop.storefront.publish(UserSignedUp, customer)).id);
    const first = await placedOrderWithCorrelation(customer.userId);
    const second = await placedOrderWithCorrelation(customer.userId);
    // Another customer's order is not theirs to see.
    await placedOrder(user.userId);

    const response = await shop.request(`/orders?customerId=${customer.userId}`);

    expect(response.status).toBe(200);
    const body = (await response.json()) as Array<Record<string, unknown>>;
    expect(body).toEqual(
      [second, first].map(({ orderId, correlationId }) => ({
        orderId,
        userId: customer.userId,
        status: 'pending',
        items,
        totalCents: 3_900,
        version: 1,
        correlationId,
        placedAt,
      })),
    );
    expect(Date.parse(body[0]!['placedAt'] as string)).toBeGreaterThanOrEqual(Date.parse(body[1]!['placedAt'] as string));
    expect(first.correlationId).not.toBe(second.correlationId);
  });

  it('answers an empty list for a customer without orders', async () => {
    const response = await shop.request(`/orders?customerId=${randomUUID()}`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([]);
  });

  it('answers 400 naming customerId when it is missing or not a UUID', async () => {
    for (const query of ['', '?customerId=', '?customerId=ada']) {
      const response = await shop.request(`/orders${query}`);

      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: 'customerId must be a UUID' });
    }
  });
});
