import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { ReserveStock, StockReservationFailed, StockReserved } from '@stitch/contracts';
import type { Envelope } from '@stitch/messaging-core';
import { startTestPostgres, type TestPostgres } from '@stitch/persistence/testing';
import { until } from '@stitch/waiting-testing';
import {
  query,
  receivedByOrderService,
  sendCommand,
  shopTransport,
  startInventory,
  testEnvironment,
} from '../../test/support/inventory-test-app';

// Two replicas of the service on one database, each consuming on its own. They get a transport each (an
// in-memory transport serves one consumer per queue); what they compete for is the stock, in the database.
const transports = [shopTransport(), shopTransport()];
let server: TestPostgres;
let apps: INestApplication[] = [];
const events: Envelope[][] = [];

beforeAll(async () => {
  server = await startTestPostgres();
  testEnvironment(server.url);
  for (const transport of transports) events.push(await receivedByOrderService(transport));
  apps = await Promise.all(transports.map((transport) => startInventory(transport)));
  await query(server.url, "INSERT INTO product (sku, name, price_cents, available) VALUES ('TEST-LIMITED', 'Limited test item', 1000, 10)");
});

afterAll(async () => {
  for (const app of apps) await app.close();
  await server?.stop();
});

describe('two replicas reserving the same item at once', () => {
  it('never oversells: 40 orders of one unit for 10 in stock get exactly 10 reservations', async () => {
    const orders = Array.from({ length: 40 }, () => randomUUID());
    await Promise.all(
      orders.map((orderId, i) => sendCommand(transports[i % 2]!, ReserveStock, { orderId, items: [{ sku: 'TEST-LIMITED', quantity: 1 }] })),
    );
    await until('an answer to each of the 40 orders', () => events.flat().length === 40, {
      timeoutMs: 30_000,
      state: () => `${events.flat().length} answered`,
    });

    const all = events.flat();
    expect(new Set(all.map((event) => (event.data as { orderId: string }).orderId))).toEqual(new Set(orders));
    expect(all.filter((event) => event.type === StockReserved.type)).toHaveLength(10);
    const failures = all.filter((event) => event.type === StockReservationFailed.type);
    expect(failures).toHaveLength(30);
    for (const failure of failures) {
      expect(failure.data).toMatchObject({ shortages: [{ sku: 'TEST-LIMITED', requested: 1, available: 0 }] });
    }
    // Both replicas did part of the work.
    expect(events.every((received) => received.length > 0)).toBe(true);

    expect(await query(server.url, "SELECT available FROM product WHERE sku = 'TEST-LIMITED'")).toEqual([{ available: 0 }]);
    expect(
      await query(server.url, "SELECT sum(quantity)::int AS held FROM reservation WHERE sku = 'TEST-LIMITED' AND status = 'held'"),
    ).toEqual([{ held: 10 }]);
  });
});
