import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { ReleaseStock, ReserveStock, StockReservationFailed, StockReserved } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import type { Envelope, FlowRecord } from '@stitch/messaging-core';
import { startTestPostgres, type TestPostgres } from '@stitch/persistence/testing';
import { until } from '@stitch/waiting-testing';
import {
  flowRecords,
  query,
  receivedByOrderService,
  sendCommand,
  shopTransport,
  startInventory,
  testEnvironment,
} from '../../test/support/inventory-test-app';

const transport = shopTransport();
let server: TestPostgres;
let app: INestApplication;
let events: Envelope[];
let flow: FlowRecord[];

beforeAll(async () => {
  server = await startTestPostgres();
  testEnvironment(server.url);
  events = await receivedByOrderService(transport);
  flow = await flowRecords(transport);
  app = await startInventory(transport);
});

afterAll(async () => {
  await app?.close();
  await server?.stop();
});

function eventsFor(orderId: string): Envelope[] {
  return events.filter((event) => (event.data as { orderId: string }).orderId === orderId);
}

async function available(sku: string): Promise<number | undefined> {
  const [row] = await query<{ available: number }>(server.url, 'SELECT available FROM product WHERE sku = $1', [sku]);
  return row?.available;
}

async function reservations(orderId: string): Promise<Array<{ sku: string; quantity: number; status: string }>> {
  return query(server.url, 'SELECT sku, quantity, status FROM reservation WHERE order_id = $1 ORDER BY sku', [orderId]);
}

const outcomesOf = (messageId: string) =>
  flow
    .filter((record) => record.messageId === messageId)
    .map((record) => record.outcome)
    .sort();

/**
 * Waits until the inventory has settled the message with this id with this outcome (a repeat its inbox absorbed is a
 * `duplicate`, never a second `handled`), and relayed what it sent.
 */
async function handled(messageId: string, outcome: FlowRecord['outcome'] = 'handled'): Promise<void> {
  await until(
    `message ${messageId} ${outcome}`,
    () => flow.some((record) => record.messageId === messageId && record.outcome === outcome),
    {
      state: () => `its outcomes so far: ${outcomesOf(messageId).join(', ') || 'none'}`,
    },
  );
  await until('the outbox to empty', async () => (await query(server.url, 'SELECT 1 FROM stitch_outbox')).length === 0);
}

async function reserve(orderId: string, items: Array<{ sku: string; quantity: number }>, id?: string): Promise<Envelope> {
  const before = eventsFor(orderId).length;
  await sendCommand(transport, ReserveStock, { orderId, items }, id);
  await until(`an answer to ReserveStock for order ${orderId}`, () => eventsFor(orderId).length > before);
  return eventsFor(orderId).at(-1)!;
}

describe('ReserveStock', () => {
  it('holds every line and publishes StockReserved', async () => {
    const orderId = randomUUID();
    const event = await reserve(orderId, [
      { sku: 'TEE-WHT-M', quantity: 2 },
      { sku: 'CAP-NVY', quantity: 1 },
    ]);

    expect(event).toMatchObject({ type: StockReserved.type, source: Services.inventory });
    expect(event.data).toEqual({
      orderId,
      items: [
        { sku: 'CAP-NVY', quantity: 1 },
        { sku: 'TEE-WHT-M', quantity: 2 },
      ],
    });
    expect(await available('TEE-WHT-M')).toBe(248);
    expect(await available('CAP-NVY')).toBe(74);
    expect(await reservations(orderId)).toEqual([
      { sku: 'CAP-NVY', quantity: 1, status: 'held' },
      { sku: 'TEE-WHT-M', quantity: 2, status: 'held' },
    ]);
  });

  it('holds nothing when any line falls short, and names every shortage', async () => {
    const orderId = randomUUID();
    const event = await reserve(orderId, [
      { sku: 'JEANS-IND-32', quantity: 1 },
      { sku: 'SCARF-LTD', quantity: 4 },
      { sku: 'NOPE-1', quantity: 2 },
    ]);

    expect(event.type).toBe(StockReservationFailed.type);
    expect(event.data).toEqual({
      orderId,
      reason: 'Not enough stock: NOPE-1 (unknown SKU); SCARF-LTD (requested 4, available 3)',
      shortages: [
        { sku: 'NOPE-1', requested: 2, available: 0 },
        { sku: 'SCARF-LTD', requested: 4, available: 3 },
      ],
    });
    expect(await available('JEANS-IND-32')).toBe(90);
    expect(await available('SCARF-LTD')).toBe(3);
    expect(await reservations(orderId)).toEqual([]);
  });

  it('takes the last units of an item, then refuses the next order for it', async () => {
    const first = randomUUID();
    const second = randomUUID();
    expect((await reserve(first, [{ sku: 'SCARF-LTD', quantity: 3 }])).type).toBe(StockReserved.type);
    expect((await reserve(second, [{ sku: 'SCARF-LTD', quantity: 1 }])).data).toMatchObject({
      shortages: [{ sku: 'SCARF-LTD', requested: 1, available: 0 }],
    });
    expect(await available('SCARF-LTD')).toBe(0);
  });

  it('confirms again, without holding twice, when an order that holds stock asks again', async () => {
    const orderId = randomUUID();
    await reserve(orderId, [{ sku: 'HOODIE-GRY-M', quantity: 5 }]);
    const again = await reserve(orderId, [{ sku: 'HOODIE-GRY-M', quantity: 5 }]);

    expect(again.type).toBe(StockReserved.type);
    expect(again.data).toEqual({ orderId, items: [{ sku: 'HOODIE-GRY-M', quantity: 5 }] });
    expect(eventsFor(orderId).map((event) => event.type)).toEqual([StockReserved.type, StockReserved.type]);
    expect(await available('HOODIE-GRY-M')).toBe(115);
    expect(await reservations(orderId)).toEqual([{ sku: 'HOODIE-GRY-M', quantity: 5, status: 'held' }]);
  });

  it('has no second effect when the same message is delivered again', async () => {
    const orderId = randomUUID();
    const id = randomUUID();
    await reserve(orderId, [{ sku: 'JACKET-OLV-M', quantity: 2 }], id);
    await sendCommand(transport, ReserveStock, { orderId, items: [{ sku: 'JACKET-OLV-M', quantity: 2 }] }, id);
    await handled(id);
    await handled(id, 'duplicate');
    expect(outcomesOf(id)).toEqual(['duplicate', 'handled']);

    expect(eventsFor(orderId)).toHaveLength(1);
    expect(await available('JACKET-OLV-M')).toBe(48);
  });
});

describe('ReleaseStock', () => {
  it('gives back what the order holds, once', async () => {
    const orderId = randomUUID();
    await reserve(orderId, [
      { sku: 'SOCKS-MERINO-3PK', quantity: 4 },
      { sku: 'TEE-BLK-L', quantity: 1 },
    ]);
    expect(await available('SOCKS-MERINO-3PK')).toBe(496);

    await handled(await sendCommand(transport, ReleaseStock, { orderId, reason: 'payment declined' }));
    expect(await available('SOCKS-MERINO-3PK')).toBe(500);
    expect(await available('TEE-BLK-L')).toBe(180);
    expect(await reservations(orderId)).toEqual([
      { sku: 'SOCKS-MERINO-3PK', quantity: 4, status: 'released' },
      { sku: 'TEE-BLK-L', quantity: 1, status: 'released' },
    ]);

    // A second ReleaseStock for the same order (another message id) finds nothing left to give back.
    await handled(await sendCommand(transport, ReleaseStock, { orderId, reason: 'payment declined' }));
    expect(await available('SOCKS-MERINO-3PK')).toBe(500);
    expect(await available('TEE-BLK-L')).toBe(180);
  });

  it('does nothing for an order that holds nothing', async () => {
    const before = await query(server.url, 'SELECT sku, available FROM product ORDER BY sku');

    await handled(await sendCommand(transport, ReleaseStock, { orderId: randomUUID(), reason: 'customer cancelled' }));

    expect(await query(server.url, 'SELECT sku, available FROM product ORDER BY sku')).toEqual(before);
    expect(await transport.deadLetters.list({ kind: 'queue', name: Services.inventory })).toEqual([]);
  });

  it('leaves a released order released when it asks to reserve again', async () => {
    const orderId = randomUUID();
    await reserve(orderId, [{ sku: 'TEE-BLK-L', quantity: 2 }]);
    await handled(await sendCommand(transport, ReleaseStock, { orderId, reason: 'payment declined' }));

    const again = await reserve(orderId, [{ sku: 'TEE-BLK-L', quantity: 2 }]);
    expect(again.type).toBe(StockReservationFailed.type);
    expect(again.data).toMatchObject({ shortages: [] });
    expect(await available('TEE-BLK-L')).toBe(180);
  });
});
