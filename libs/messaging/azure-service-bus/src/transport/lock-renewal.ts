/** Renew no closer to expiry than this: a renewal is a round trip to the broker and may be slow. */
const MIN_MARGIN_MS = 1_000;

/**
 * When to renew a lock held until `lockedUntil`: half-way through what is left, so a slow or failed renewal still
 * leaves time for another; and never later than a second before it lapses.
 */
export function renewalDelay(lockedUntil: number, now: number): number {
  const left = lockedUntil - now;
  return Math.max(0, Math.min(left / 2, left - MIN_MARGIN_MS));
}

/**
 * Keeps one message's lock while its handler runs past the lock duration. A renewal that fails (the lock is gone,
 * the link dropped) stops the renewer: the message comes back to some consumer, whose inbox absorbs the repeat.
 */
export class LockRenewer {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly renew: () => Promise<Date>,
    private readonly onLost: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  start(lockedUntil: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.renewNow(), renewalDelay(lockedUntil, this.now()));
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async renewNow(): Promise<void> {
    if (this.stopped) return;
    try {
      const lockedUntil = await this.renew();
      this.start(lockedUntil.getTime());
    } catch (error) {
      if (this.stopped) return;
      this.stopped = true;
      this.onLost(error);
    }
  }
}
