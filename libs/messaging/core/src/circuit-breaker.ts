import type { Logger } from './logger';
import type { ReceiveGate } from './transport';

export interface CircuitBreakerOptions {
  /** The wait before the first probe after the circuit opens; each failed probe doubles it, up to `maxProbeDelayMs`. */
  readonly probeDelayMs: number;
  readonly maxProbeDelayMs: number;
  readonly logger: Logger;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

/** What a held delivery is told when its wait ends: run the handler now, or give the message back (shutting down). */
export type Turn = 'run' | 'stopped';

/**
 * The consumer's circuit breaker for outages of what its handlers need (database, broker, an upstream service).
 *
 * Closed: every delivery runs. The first failure that says a dependency is unreachable opens it: the receive
 * loops pause, and every delivery in hand waits, still locked, instead of spending its attempts in a second. After
 * a delay one waiting delivery runs as the probe (half-open); if it gets past the dependency the circuit closes
 * and all the others run at once; if not, the circuit stays open and the next probe waits twice as long. With
 * nobody waiting (all given back at shutdown) the loops resume for one message, which becomes the probe.
 */
export class CircuitBreaker implements ReceiveGate {
  private current: CircuitState = 'closed';
  private cause: Error | undefined;
  private openedAt = 0;
  private probeDelayMs: number;
  private probing = false;
  private failed = 0;
  private probeTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly waiting: ((turn: Turn) => void)[] = [];
  private resumed: (() => void)[] = [];

  constructor(private readonly options: CircuitBreakerOptions) {
    this.probeDelayMs = options.probeDelayMs;
  }

  get state(): CircuitState {
    return this.current;
  }

  /** Paused while open, and while a probe runs, so nothing new is fetched until the dependency answers. */
  get paused(): boolean {
    return !this.stopped && (this.current === 'open' || (this.current === 'half-open' && this.probing));
  }

  whenResumed(): Promise<void> {
    if (!this.paused) return Promise.resolve();
    return new Promise((resolve) => this.resumed.push(resolve));
  }

  /** Probes that found the dependency still down since the circuit opened. */
  get failedProbes(): number {
    return this.failed;
  }

  /** Why the circuit is open, for readiness: undefined while closed. */
  describe(): string | undefined {
    if (this.current === 'closed') return undefined;
    const seconds = Math.round((Date.now() - this.openedAt) / 1_000);
    return `consumption paused for ${seconds} s (${this.failed} probes failed): ${this.cause?.message ?? 'a dependency is unavailable'}`;
  }

  /** Waits until this delivery may run its handler: at once while closed; as the probe or after the close otherwise. */
  turn(): Promise<Turn> {
    if (this.stopped) return Promise.resolve('stopped');
    if (this.current === 'closed') return Promise.resolve('run');
    if (this.current === 'half-open' && !this.probing) {
      this.probing = true;
      return Promise.resolve('run');
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** A handler could not reach a dependency: the circuit opens, or stays open with a longer wait for the next probe. */
  unavailable(error: Error): void {
    if (this.stopped) return;
    this.cause = error;
    if (this.current === 'closed') {
      this.openedAt = Date.now();
      this.probeDelayMs = this.options.probeDelayMs;
      this.failed = 0;
      this.options.logger.warn(
        { err: error },
        `a dependency is unavailable; pausing consumption, holding the messages in hand, probing in ${this.probeDelayMs} ms`,
      );
    } else if (this.current === 'half-open') {
      this.failed++;
      this.probeDelayMs = Math.min(this.options.maxProbeDelayMs, this.probeDelayMs * 2);
    } else {
      // Deliveries that were running when the circuit opened fail one after another: one outage, one probe schedule.
      return;
    }
    this.current = 'open';
    this.probing = false;
    this.scheduleProbe();
  }

  /** A handler got past its dependencies (it succeeded, or failed for a reason of its own): the circuit closes. */
  reachable(): void {
    if (this.current === 'closed') return;
    const seconds = Math.round((Date.now() - this.openedAt) / 100) / 10;
    this.options.logger.info({ pausedSeconds: seconds, held: this.waiting.length }, 'dependencies reachable again; resuming consumption');
    this.current = 'closed';
    this.cause = undefined;
    this.probing = false;
    clearTimeout(this.probeTimer);
    this.release('run');
  }

  /** At shutdown: every waiting delivery is told to give its message back, and the loops are no longer held. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.probeTimer);
    this.release('stopped');
  }

  private scheduleProbe(): void {
    clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => this.probe(), this.probeDelayMs);
    this.probeTimer.unref();
  }

  private probe(): void {
    if (this.stopped || this.current !== 'open') return;
    this.current = 'half-open';
    const next = this.waiting.shift();
    if (next) {
      this.probing = true;
      next('run');
    } else {
      // Nobody holds a message: let the loops fetch one, which takes the probe's turn.
      this.wakeLoops();
    }
  }

  private release(turn: Turn): void {
    for (const resolve of this.waiting.splice(0)) resolve(turn);
    this.wakeLoops();
  }

  private wakeLoops(): void {
    for (const resolve of this.resumed.splice(0)) resolve();
  }
}
