import { ReserveStock, Services } from '@stitch/contracts';
import { isAlive } from '@stitch/launcher';
import { eventually, sleep } from '@stitch/shop-testing';
import { onePieceOrders, printFigures, type FaultShop } from '../support/fault-shop';


/**
 * kill -9 of an inventory replica while it holds messages: its locks lapse and the other replicas take over; no
 * order is lost and none takes stock, a charge or a mail twice.
 */
export interface KillSizes {
  readonly orders: number;
  /**
   * Orders in flight at once. Where the transport cannot tell what a replica holds, a burst makes every replica
   * receive several messages at once, so the victim, killed as it finishes its first, still holds the others.
   */
  readonly concurrency: number;
}

export async function killDuringHandling(shop: FaultShop, { orders, concurrency }: KillSizes): Promise<void> {
  const startedAt = Date.now();
  const users = await shop.knownUsers(5);
  const product = await shop.productWithStock(1, 100_000);
  const replicas = await shop.processes(Services.inventory);
  expect(replicas.length).toBeGreaterThanOrEqual(2);
  const victim = replicas[replicas.length - 1]!;

  const placing = shop.placeOrders(onePieceOrders(orders, users, product.sku), concurrency);
  // Killed the moment it is seen holding messages: its locks in the bus file (embedded), or what it received through
  // the proxy and has not deleted (AWS); where neither can tell, as it finishes its first ReserveStock of the burst.
  const inHand = await eventually(
    `${victim.instance} in the middle of handling`,
    async () => {
      const held = shop.faults.messagesInHand(victim.pid, Services.inventory);
      if (held !== undefined) return held;
      const handled = (await shop.handled(startedAt)).ofType(ReserveStock.type).handlings.filter((h) => h.instance === victim.instance).length;
      return handled;
    },
    (held) => held > 0,
    60_000,
  ).catch(async (error: unknown) => {
    await placing;
    throw error;
  });
  process.kill(victim.pid, 'SIGKILL');
  const killedAt = Date.now();
  // Its locks stay in the table until their leases lapse, its receipts undeleted: what it held when it died.
  const heldAtDeath = shop.faults.messagesInHand(victim.pid, Services.inventory);
  const placement = await placing;

  const finals = await shop.settle(placement.accepted, 120_000);
  const confirmed = placement.accepted.filter((id) => finals.get(id)?.status === 'confirmed');
  const lost = placement.accepted.filter((id) => !finals.has(id));
  const effects = await shop.settledEffectsOf(confirmed).catch(() => shop.effectsOf(confirmed));
  await sleep(500);
  const handled = await shop.handled(startedAt);
  const reserveStock = handled.ofType(ReserveStock.type);
  const takenOver = reserveStock.handlings.filter((h) => h.time >= killedAt && h.attempt > 1);
  const stockTaken = product.available - (await shop.stockOf(product.sku));

  printFigures('kill -9 during handling', shop.faults.name, {
    sent: placement.accepted.length,
    handled: finals.size,
    'duplicates absorbed': handled.repeats,
    lost: lost.length,
    killed: `${victim.instance} ${heldAtDeath === undefined ? `after it handled ${inHand} ReserveStock` : `holding ${heldAtDeath} message(s)`}`,
    'redelivered to other replicas': takenOver.length,
    'stock taken': stockTaken,
    charges: effects.total('charges'),
    mails: effects.total('mails'),
    's': Math.round((Date.now() - startedAt) / 1000),
  });

  expect(isAlive(victim.pid)).toBe(false);
  expect(placement.abandoned).toBe(0);
  expect(lost).toEqual([]);
  expect(confirmed).toHaveLength(orders);
  expect(stockTaken).toBe(orders);
  expect(effects.notOnce('reservations')).toEqual([]);
  expect(effects.notOnce('charges')).toEqual([]);
  expect(effects.notOnce('mails')).toEqual([]);
  // The survivors carried on: every ReserveStock the victim did not finish was handled by another replica.
  expect(reserveStock.distinct).toBe(orders);
  if (heldAtDeath !== undefined) expect(heldAtDeath).toBeGreaterThan(0);
  if (heldAtDeath !== undefined) expect(takenOver.length).toBeGreaterThanOrEqual(heldAtDeath);
  expect(takenOver.every((h) => h.instance !== victim.instance)).toBe(true);
  expect(await shop.deadProcesses([victim.pid])).toEqual([]);
}
