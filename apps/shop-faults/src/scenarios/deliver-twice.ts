import { Services } from '@stitch/manifest';
import { eventually } from '@stitch/shop-testing';
import type { HandledLog } from '../support/handled-log';
import { during, onePieceOrders, printFigures, type FaultShop } from '../support/fault-shop';

const USERS = 3;

/**
 * Every message delivered twice (a trigger on the bus file, or a proxy that sends each SQS and EventBridge call
 * twice): the inboxes absorb each repeat, so stock, charges and mails happen once.
 */
export async function deliverTwice(shop: FaultShop, orders: number): Promise<void> {
  const startedAt = Date.now();
  const product = await shop.productWithStock(2, 100_000);
  const { users, placement, finals, effects } = await during(shop.faults.duplicateEveryMessage(), async () => {
    const users = await shop.knownUsers(USERS);
    const placement = await shop.placeOrders(onePieceOrders(orders, users, product.sku), 5);
    const finals = await shop.settle(placement.accepted, 120_000);
    const effects = await shop.settledEffectsOf(placement.accepted).catch(() => shop.effectsOf(placement.accepted));
    // The repeats of the last messages (mails, their events) arrive after the first copies.
    await eventually(
      'the repeat of every message',
      () => shop.handled(startedAt),
      (log) => onlyOnce(log).length === 0,
      30_000,
    ).catch(() => undefined);
    return { users, placement, finals, effects };
  });
  const handled = await shop.handled(startedAt);
  const welcomes = Number(
    (
      await shop.query<{ n: string }>(
        Services.email,
        `SELECT count(*) AS n FROM sent_mail WHERE template = 'welcome' AND "to" LIKE ANY($1::text[])`,
        [await emailsOf(shop, users)],
      )
    )[0]?.n,
  );
  const lost = placement.accepted.filter((id) => !finals.has(id));
  const stockTaken = product.available - (await shop.stockOf(product.sku));

  printFigures('every message delivered twice', shop.faults.name, {
    sent: placement.accepted.length,
    handled: finals.size,
    messages: handled.distinct,
    'delivered twice': handled.deliveredMoreThanOnce,
    'duplicates absorbed': handled.repeats,
    lost: lost.length,
    'stock taken': stockTaken,
    charges: effects.total('charges'),
    'order mails': effects.total('mails'),
    'welcome mails': welcomes,
    s: Math.round((Date.now() - startedAt) / 1000),
  });

  expect(lost).toEqual([]);
  expect([...finals.values()].filter((final) => final.status !== 'confirmed')).toEqual([]);
  expect(onlyOnce(handled)).toEqual([]);
  expect(handled.repeats).toBeGreaterThanOrEqual(handled.distinct);
  expect(stockTaken).toBe(orders);
  expect(effects.notOnce('reservations')).toEqual([]);
  expect(effects.notOnce('charges')).toEqual([]);
  expect(effects.notOnce('mails')).toEqual([]);
  expect(welcomes).toBe(USERS);
  expect(await shop.deadProcesses()).toEqual([]);
}

/** Patterns matching the users' addresses, however the mail's To names them. */
async function emailsOf(shop: FaultShop, users: readonly string[]): Promise<string[]> {
  const rows = await shop.query<{ email: string }>(Services.order, 'SELECT email FROM "user" WHERE id = ANY($1::uuid[])', [users]);
  return rows.map((row) => `%${row.email}%`);
}

/** `<service> <message id>` of each message a service handled only once. */
function onlyOnce(log: HandledLog): string[] {
  return [...log.deliveries()].filter(([, count]) => count < 2).map(([key]) => key);
}
