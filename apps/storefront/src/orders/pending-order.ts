import { orderIdCreatedAt } from './order-id';

/** Ids minted on another machine may be a little ahead of this clock. */
const CLOCK_SKEW_MS = 60_000;

/**
 * "An order accepted but not yet stored by the order service reads pending." The storefront answers 202 as soon
 * as PlaceOrder is on the order queue (load levelling), so for a while the order service does not know the id
 * it was given: the command may be queued behind others, or retried because the user's sign-up has not reached
 * the order service yet. Whether an id is still on its way is read from the id itself, which says when it was
 * made, not from the storefront's record of what it accepted (its idempotency keys). An id the order service does not
 * know reads pending while it is younger than `windowMs`; after that (or for an id that carries no time) it is
 * a 404: a command still unstored by then was dead-lettered or never sent, and waiting longer would hide that.
 */
export function readsPendingWhileUnknown(orderId: string, now: number, windowMs: number): boolean {
  const createdAt = orderIdCreatedAt(orderId);
  if (createdAt === undefined) return false;
  const age = now - createdAt;
  return age >= -CLOCK_SKEW_MS && age <= windowMs;
}
