import { Services } from '@stitch/manifest';
import { sleep } from '@stitch/shop-testing';
import { onePieceOrders, printFigures, type FaultShop } from '../support/fault-shop';

export interface Contention {
  readonly orders: number;
  readonly stock: number;
  readonly concurrency: number;
}

/**
 * Many replicas of inventory and many more orders than units: exactly the stock is sold, the rest is cancelled
 * for stock, and the stock never goes below zero, by the schema's CHECK and as sampled during the run.
 */
export async function contendedStock(shop: FaultShop, { orders, stock, concurrency }: Contention, note = ''): Promise<void> {
  const startedAt = Date.now();
  const checks = await shop.query<{ name: string; definition: string }>(
    Services.inventory,
    `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conrelid = 'product'::regclass AND contype = 'c'`,
  );
  const guard = checks.find((check) => /\(available >= 0\)/.test(check.definition));
  const replicas = (await shop.processes(Services.inventory)).length;
  const users = await shop.knownUsers(10);
  const product = await shop.productWithStock(0, stock);

  let sampling = true;
  const samples: number[] = [];
  const sampler = (async () => {
    while (sampling) {
      samples.push(await shop.stockOf(product.sku));
      await sleep(100);
    }
  })();
  const { placement, finals } = await (async () => {
    try {
      const placement = await shop.placeOrders(onePieceOrders(orders, users, product.sku), concurrency);
      return { placement, finals: await shop.settle(placement.accepted, 240_000) };
    } finally {
      sampling = false;
      await sampler;
    }
  })();
  const statuses = [...finals.values()];
  const confirmed = statuses.filter((final) => final.status === 'confirmed').length;
  const cancelled = statuses.filter((final) => final.status === 'cancelled');
  const forStock = cancelled.filter((final) => /stock|available/i.test(final.reason ?? '')).length;
  const lost = placement.accepted.filter((id) => !finals.has(id));
  const left = await shop.stockOf(product.sku);
  const held = await shop.query<{ n: string; pieces: string }>(
    Services.inventory,
    `SELECT count(*) AS n, coalesce(sum(quantity), 0) AS pieces FROM reservation WHERE sku = $1 AND status = 'held' AND order_id = ANY($2::uuid[])`,
    [product.sku, placement.accepted],
  );

  printFigures(`${orders} orders for ${stock} units, ${replicas} inventory replicas${note}`, shop.faults.name, {
    sent: placement.accepted.length,
    handled: finals.size,
    confirmed,
    'cancelled for stock': forStock,
    lost: lost.length,
    'stock left': left,
    'lowest stock sampled': Math.min(...samples),
    samples: samples.length,
    CHECK: guard ? guard.name : 'missing',
    s: Math.round((Date.now() - startedAt) / 1000),
  });

  expect(guard).toBeDefined();
  expect(placement.accepted).toHaveLength(orders);
  expect(lost).toEqual([]);
  expect(confirmed).toBe(stock);
  expect(forStock).toBe(orders - stock);
  expect(cancelled).toHaveLength(orders - stock);
  expect(left).toBe(0);
  expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
  expect(held.map((row) => [Number(row.n), Number(row.pieces)])).toEqual([[stock, stock]]);
}
