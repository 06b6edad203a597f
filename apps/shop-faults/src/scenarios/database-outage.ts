import { eventually, sleep } from '@stitch/shop-testing';
import { expectEveryOrderOnce, type FaultShop } from '../support/fault-shop';

/** Long enough to outlast every retry budget many times over: 5 attempts are spent in under a second. */
const OUTAGE_MS = 30_000;
const CALM_MS = 2_000;
const CONCURRENCY = 3;

/**
 * PostgreSQL out of reach for 30 s while customers check out: every connection reset, every new one refused. The
 * storefront answers 503 for what it cannot store and clients retry; the consumers pause instead of spending their
 * messages' attempts, hold what they have, and resume by themselves. Every accepted order completes afterwards and
 * nothing is dead-lettered.
 */
export async function databaseOutage(shop: FaultShop): Promise<void> {
  const startedAt = Date.now();
  const users = await shop.knownUsers(3);
  const product = await shop.productWithStock(4, 100_000);
  const deadLettersBefore = await shop.deadLetterCount();

  const checkout = shop.keepCheckingOut(users, product.sku, CONCURRENCY, 120_000);
  const total = checkout.placement;

  await sleep(CALM_MS);
  const acceptedBefore = total.accepted.length;
  const database = shop.databaseProxy();
  database.cutOff();
  const cutAt = Date.now();
  // Readiness says the replicas that need the database cannot work now; liveness stays up, so none is restarted.
  const during = await eventually(
    'replicas not ready while the database is down',
    () => shop.readiness(),
    (seen) => seen.notReady.length > 0,
    20_000,
  ).catch(() => shop.readiness());
  await sleep(OUTAGE_MS - (Date.now() - cutAt));
  database.restore();
  const outageMs = Date.now() - cutAt;
  await sleep(CALM_MS);
  await checkout.stop();

  await expectEveryOrderOnce(shop, total, product, deadLettersBefore, 'database down 30 s during checkout', {
    'outage ms': outageMs,
    'accepted before it': acceptedBefore,
    'not ready during it': `${during.notReady.length} of ${during.total}`,
    s: () => Math.round((Date.now() - startedAt) / 1000),
  });
  expect(during.notReady.length).toBeGreaterThan(0);
  expect(during.notLive).toEqual([]);
  expect(acceptedBefore).toBeGreaterThan(0);
}
