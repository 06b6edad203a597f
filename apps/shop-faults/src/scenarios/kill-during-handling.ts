import { ReserveStock } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { isAlive, type LaunchedProcess } from '@stitch/launcher';
import { eventually } from '@stitch/shop-testing';
import { onePieceOrders, printFigures, type FaultShop, type Placement } from '../support/fault-shop';
import type { Death } from '../support/transport-faults';

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

  // Killed the moment it is seen holding messages: its locks in the bus file (embedded), or messages the proxy is about
  // to hand it (AWS), judged while it is stopped; where neither can tell, as it finishes its first ReserveStock of the
  // burst. On a broker the replicas compete for each burst, and the others may take all of one before the victim is
  // handed any: then another burst, up to a few.
  const holding = shop.faults.messagesInHand(victim.pid, Services.inventory) !== undefined;
  const placements: Placement[] = [];
  let kill: Kill | undefined;
  for (let burst = 1; !kill; burst++) {
    const placing = shop.placeOrders(onePieceOrders(orders, users, product.sku), concurrency);
    kill = await (
      holding
        ? shop.faults.killWhenHolding(victim.pid, Services.inventory, 30_000).then((death) => ({ killedAt: death.killedAt, death }))
        : killAfterItsFirstHandling(shop, victim, startedAt)
    ).catch(async (error: unknown) => {
      placements.push(await placing);
      if (!holding || burst >= MAX_BURSTS || !String(error).includes('was handed no message')) throw error;
      return undefined;
    });
    if (kill) placements.push(await placing);
  }
  const { death, killedAt } = kill;
  const placement = mergePlacements(placements);
  const placed = orders * placements.length;

  const finals = await shop.settle(placement.accepted, 120_000);
  const confirmed = placement.accepted.filter((id) => finals.get(id)?.status === 'confirmed');
  const lost = placement.accepted.filter((id) => !finals.has(id));
  const effects = await shop.settledEffectsOf(confirmed).catch(() => shop.effectsOf(confirmed));
  // What the victim held comes back when its locks lapse, whether or not its orders needed it: wait for each to be
  // received and settled by another replica, as the transport saw it and as that replica logged it.
  // On a timeout the last look is asserted below, after the figures.
  const takenOver = death
    ? await eventually(
        `every message ${victim.instance} held received and settled by another replica`,
        () => takenOverFrom(shop, death, victim.instance),
        (ids) => ids.length === death.held.length,
        120_000,
      ).catch(() => takenOverFrom(shop, death, victim.instance))
    : [];
  // Every order settled, so every ReserveStock was handled; the log lines may still be on their way to the files.
  const handled = await eventually(
    `${placed} ReserveStock in the logs`,
    () => shop.handled(startedAt),
    (log) => log.ofType(ReserveStock.type).distinct >= placed,
    60_000,
  ).catch(() => shop.handled(startedAt));
  const reserveStock = handled.ofType(ReserveStock.type);
  const stockTaken = product.available - (await shop.stockOf(product.sku));

  printFigures('kill -9 during handling', shop.faults.name, {
    sent: placement.accepted.length,
    handled: finals.size,
    'duplicates absorbed': handled.repeats,
    lost: lost.length,
    killed: `${victim.instance} ${death ? `holding ${death.held.length} message(s)` : `after it handled ${kill.handledBefore} ReserveStock`}`,
    'redelivered to other replicas': takenOver.length,
    'stock taken': stockTaken,
    charges: effects.total('charges'),
    mails: effects.total('mails'),
    s: Math.round((Date.now() - startedAt) / 1000),
  });

  expect(isAlive(victim.pid)).toBe(false);
  expect(placement.abandoned).toBe(0);
  expect(lost).toEqual([]);
  expect(confirmed).toHaveLength(placed);
  expect(stockTaken).toBe(placed);
  expect(effects.notOnce('reservations')).toEqual([]);
  expect(effects.notOnce('charges')).toEqual([]);
  expect(effects.notOnce('mails')).toEqual([]);
  // The survivors carried on: every ReserveStock was handled, and every message the victim held when it died was
  // received again and settled by another replica.
  expect(reserveStock.distinct).toBe(placed);
  if (death) expect(death.held.length).toBeGreaterThan(0);
  if (death) expect(takenOver).toEqual(death.held);
  expect(handled.handlings.filter((h) => h.instance === victim.instance && h.time > killedAt)).toEqual([]);
  expect(await shop.deadProcesses([victim.pid])).toEqual([]);
}

/** Bursts of orders at most, on a broker, before the victim's never being handed a message fails the scenario. */
const MAX_BURSTS = 4;

function mergePlacements(placements: readonly Placement[]): Placement {
  return {
    accepted: placements.flatMap((placement) => placement.accepted),
    attempts: placements.reduce((sum, placement) => sum + placement.attempts, 0),
    unavailable: placements.reduce((sum, placement) => sum + placement.unavailable, 0),
    unavailableStatuses: placements.flatMap((placement) => placement.unavailableStatuses),
    unanswered: placements.reduce((sum, placement) => sum + placement.unanswered, 0),
    abandoned: placements.reduce((sum, placement) => sum + placement.abandoned, 0),
  };
}

/** How the victim was killed: holding messages the transport can name, or, where it cannot, after some handlings. */
type Kill =
  | { readonly killedAt: number; readonly death: Death; readonly handledBefore?: undefined }
  | { readonly killedAt: number; readonly death?: undefined; readonly handledBefore: number };

/** Where the transport cannot tell what a replica holds. */
async function killAfterItsFirstHandling(shop: FaultShop, victim: LaunchedProcess, startedAt: number): Promise<Kill> {
  const handledBefore = await eventually(
    `${victim.instance} handling ReserveStock`,
    async () => (await shop.handled(startedAt)).ofType(ReserveStock.type).handlings.filter((h) => h.instance === victim.instance).length,
    (handled) => handled > 0,
    60_000,
  );
  process.kill(victim.pid, 'SIGKILL');
  return { killedAt: Date.now(), handledBefore };
}

/**
 * The messages the victim held at its death that another replica has since received and settled: settled as the
 * transport saw it (not by the victim, which is gone), and handled again, as a redelivery, by an inventory replica
 * other than the victim, as its log says.
 */
async function takenOverFrom(shop: FaultShop, death: Death, victim: string): Promise<string[]> {
  const settled = new Set(await death.takenOver());
  const redelivered = new Set(
    (await shop.handled(death.killedAt)).handlings
      .filter((h) => h.service === Services.inventory && h.instance !== victim && h.attempt > 1)
      .map((h) => h.messageId),
  );
  return death.held.filter((id) => settled.has(id) && redelivered.has(id));
}
