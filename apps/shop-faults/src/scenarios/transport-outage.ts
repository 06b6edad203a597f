import { sleep } from '@stitch/shop-testing';
import { printFigures, tally, type FaultShop } from '../support/fault-shop';

const OUTAGE_MS = 6_000;
/** Orders placed before and after the outage, at about this pace. */
const CALM_MS = 2_000;
const CONCURRENCY = 3;

/**
 * The transport out of reach for a few seconds while customers check out: the storefront keeps accepting orders into
 * its outbox, its relay sends them once the transport is back, and every order it accepted completes afterwards.
 * Each customer pauses `pauseMs` between orders: nothing slows them down during the outage (no 503 to back off
 * from), so the pace sets how many orders the transport has to catch up on.
 */
export async function transportOutage(shop: FaultShop, pauseMs: number): Promise<void> {
  const startedAt = Date.now();
  const users = await shop.knownUsers(3);
  const product = await shop.productWithStock(3, 100_000);

  // Customers keep checking out, before, during and after the outage.
  const checkout = shop.keepCheckingOut(users, product.sku, CONCURRENCY, 60_000, pauseMs);
  const total = checkout.placement;

  await sleep(CALM_MS);
  const acceptedBefore = total.accepted.length;
  const restore = await shop.faults.cutOff();
  const cutAt = Date.now();
  try {
    await sleep(OUTAGE_MS);
  } finally {
    await restore();
  }
  const outageMs = Date.now() - cutAt;
  await sleep(CALM_MS);
  await checkout.stop();

  const finals = await shop.settle(total.accepted, 120_000);
  const lost = total.accepted.filter((id) => !finals.has(id));
  const effects = await shop.settledEffectsOf(total.accepted).catch(() => shop.effectsOf(total.accepted));
  const stockTaken = product.available - (await shop.stockOf(product.sku));
  const dead = await shop.deadProcesses();

  printFigures('transport unreachable during checkout', shop.faults.name, {
    sent: total.accepted.length,
    handled: finals.size,
    lost: lost.length,
    'outage ms': outageMs,
    'accepted before it': acceptedBefore,
    POSTs: total.attempts,
    '5xx retried': tally(total.unavailableStatuses),
    'unanswered retried': total.unanswered,
    abandoned: total.abandoned,
    'stock taken': stockTaken,
    charges: effects.total('charges'),
    mails: effects.total('mails'),
    s: Math.round((Date.now() - startedAt) / 1000),
  });

  expect(dead).toEqual([]);
  expect(total.abandoned).toBe(0);
  expect(acceptedBefore).toBeGreaterThan(0);
  expect(total.accepted.length).toBeGreaterThan(acceptedBefore);
  expect(lost).toEqual([]);
  expect([...finals.values()].filter((final) => final.status !== 'confirmed')).toEqual([]);
  expect(stockTaken).toBe(total.accepted.length);
  expect(effects.notOnce('reservations')).toEqual([]);
  expect(effects.notOnce('charges')).toEqual([]);
  expect(effects.notOnce('mails')).toEqual([]);
}
