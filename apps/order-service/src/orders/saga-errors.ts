/**
 * Errors a saga handler throws for a condition that passes (transient, as any error not marked permanent): the
 * consumer retries the message, at once first and then with backoff (the catalogue allows 8 attempts on the
 * order queue), and the next attempt decides afresh.
 */

/** A PlaceOrder overtook the UserSignedUp that introduces its user; the event is usually a moment behind. */
export class UnknownUserError extends Error {
  override readonly name = 'UnknownUserError';
  constructor(readonly userId: string) {
    super(`user ${userId} is not known to the order service yet (no UserSignedUp for it so far)`);
  }
}

/**
 * Another replica changed the order after this one read it; the retry reads the new state and decides on that.
 * The default immediate retries suit it: the winner has already committed.
 */
export class OrderChangedConcurrentlyError extends Error {
  override readonly name = 'OrderChangedConcurrentlyError';
  constructor(
    readonly orderId: string,
    readonly version: number,
  ) {
    super(`order ${orderId} changed while version ${version} was being handled`);
  }
}
