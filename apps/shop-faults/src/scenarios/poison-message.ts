import { PlaceOrder, shopCatalogue } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import type { DeadLetteredMessage } from '@stitch/messaging-core';
import { until } from '@stitch/waiting-testing';
import { onePieceOrders, printFigures, type FaultShop } from '../support/fault-shop';

/**
 * A PlaceOrder for a user the order service does not know: a transient error by design (the UserSignedUp may be late), so it
 * is retried up to the order queue's maximum and then dead-lettered with its reason, while other orders flow on.
 */
export async function poisonMessage(shop: FaultShop, otherOrders: number): Promise<void> {
  const startedAt = Date.now();
  const orderQueue = shopCatalogue.topology().queues.find((queue) => queue.name === Services.order);
  if (!orderQueue) throw new Error('the topology has no order queue');
  const users = await shop.knownUsers(4);
  const product = await shop.productWithStock(4, 100_000);

  // A customer with a session whom the order service has forgotten: the storefront accepts the order, the order
  // service can never place it.
  const [stranger] = await shop.knownUsers(1);
  if (!stranger) throw new Error('no customer signed up');
  await shop.query(Services.order, 'DELETE FROM "user" WHERE id = $1', [stranger]);
  const [poisoned] = (await shop.placeOrders([{ userId: stranger, items: [{ sku: product.sku, quantity: 1 }] }], 1)).accepted;
  const placement = await shop.placeOrders(onePieceOrders(otherOrders, users, product.sku), 4);
  const settling = shop.settle(placement.accepted, 120_000);

  const deadLetter = await deadLetterOf(shop, poisoned ?? '', 120_000);
  const finals = await settling;
  const lost = placement.accepted.filter((id) => !finals.has(id));
  const whileRetried = [...finals.values()].filter((final) => (final.settledAt ?? Infinity) <= deadLetter.deadLetteredAt).length;
  const handledPoison = (await shop.handled(startedAt)).handlings.filter(
    (h) => h.type === PlaceOrder.type && h.messageId === deadLetter.message.messageId,
  );

  printFigures('poison message', shop.faults.name, {
    sent: placement.accepted.length + 1,
    handled: finals.size,
    'dead-lettered': `1 after ${deadLetter.attempts} attempts in ${Math.round((deadLetter.deadLetteredAt - startedAt) / 1000)} s`,
    reason: JSON.stringify(deadLetter.reason.slice(0, 80)),
    'completed while it was retried': whileRetried,
    lost: lost.length,
    s: Math.round((Date.now() - startedAt) / 1000),
  });

  expect(deadLetter.attempts).toBe(orderQueue.maxAttempts);
  expect(deadLetter.reason).toContain('UnknownUserError');
  expect(deadLetter.reason).toContain(stranger);
  expect(handledPoison).toEqual([]);
  expect(lost).toEqual([]);
  expect([...finals.values()].filter((final) => final.status !== 'confirmed')).toEqual([]);
  expect(whileRetried).toBeGreaterThan(0);
}

function placeOrderId(dead: DeadLetteredMessage): string | undefined {
  try {
    const envelope = JSON.parse(dead.message.body) as { type?: string; data?: { orderId?: string } };
    return envelope.type === PlaceOrder.type ? envelope.data?.orderId : undefined;
  } catch {
    return undefined;
  }
}

/** Looks every second: on SQS each look receives (hides) the dead letters for a moment. */
async function deadLetterOf(shop: FaultShop, orderId: string, timeoutMs: number): Promise<DeadLetteredMessage> {
  let found: DeadLetteredMessage | undefined;
  await until(
    `the PlaceOrder of order ${orderId} to be dead-lettered`,
    async () => {
      found = (await shop.faults.deadLetters({ kind: 'queue', name: Services.order })).find((dead) => placeOrderId(dead) === orderId);
      return found !== undefined;
    },
    { timeoutMs, intervalMs: 1_000 },
  );
  if (!found) throw new Error('unreachable');
  return found;
}
