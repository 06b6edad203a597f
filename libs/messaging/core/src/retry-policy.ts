import { PermanentError } from './errors';

/**
 * How a failed message is tried again: first a few immediate retries (a lost race, a deadlock, a dropped
 * connection usually pass at once), then delayed retries, exponential, capped, with jitter so replicas do not
 * retry in step. The catalogue's maximum for the queue or subscription bounds them all.
 */
export interface RetryPolicy {
  /** Failed attempts released again with no delay before the backoff starts. */
  readonly immediate: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** 0 = exact delays; 0.2 = each delay varies by up to ±20 %. */
  readonly jitter: number;
}

export const defaultRetryPolicy: RetryPolicy = { immediate: 2, baseDelayMs: 200, maxDelayMs: 30_000, jitter: 0.2 };

/** Any error class, including abstract ones, for `instanceof`. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/** What one handler changes from the service's defaults: `@HandleMessage(PlaceOrder, { retry: { immediate: 0 } })`. */
export interface HandlerRetryOptions {
  readonly retry?: Partial<RetryPolicy>;
  /** Errors that can never pass for this handler: dead-lettered at once, as a PermanentError is everywhere. */
  readonly permanent?: readonly ErrorClass[];
}

/** What happens to a message whose handler failed, and by which rule, so logs and dead letters can say. */
export type RetryDecision =
  | { readonly action: 'retry'; readonly rule: 'immediate' | 'delayed'; readonly delayMs: number }
  | { readonly action: 'dead-letter'; readonly rule: 'permanent-error' | 'attempts-exhausted' };

export interface FailedAttempt {
  readonly error: Error;
  /** The transport's delivery count of the attempt that failed: 1 on the first delivery. */
  readonly attempt: number;
  /** The catalogue's maximum for the queue or subscription. */
  readonly maxAttempts: number;
  readonly policy: RetryPolicy;
  readonly permanent?: readonly ErrorClass[];
  readonly granularityMs?: number;
  readonly random?: () => number;
}

export function decideRetry(failed: FailedAttempt): RetryDecision {
  const { error, attempt, maxAttempts, policy } = failed;
  if (isPermanent(error, failed.permanent ?? [])) return { action: 'dead-letter', rule: 'permanent-error' };
  if (attempt >= maxAttempts) return { action: 'dead-letter', rule: 'attempts-exhausted' };
  if (attempt <= policy.immediate) return { action: 'retry', rule: 'immediate', delayMs: 0 };
  return { action: 'retry', rule: 'delayed', delayMs: retryDelay(policy, attempt, failed.granularityMs, failed.random) };
}

export function isPermanent(error: Error, permanent: readonly ErrorClass[]): boolean {
  return error instanceof PermanentError || permanent.some((kind) => error instanceof kind);
}

/** The service's defaults with one handler's changes on top, checked so a typo fails at start, not at 3 am. */
export function mergeRetryPolicy(defaults: RetryPolicy, override: Partial<RetryPolicy> | undefined): RetryPolicy {
  const policy = { ...defaults, ...override };
  const problems: string[] = [];
  if (!Number.isInteger(policy.immediate) || policy.immediate < 0)
    problems.push(`immediate must be a whole number ≥ 0, got ${policy.immediate}`);
  if (!(policy.baseDelayMs >= 1)) problems.push(`baseDelayMs must be ≥ 1, got ${policy.baseDelayMs}`);
  if (!(policy.maxDelayMs >= policy.baseDelayMs)) problems.push(`maxDelayMs must be ≥ baseDelayMs, got ${policy.maxDelayMs}`);
  if (!(policy.jitter >= 0 && policy.jitter < 1)) problems.push(`jitter must be in [0, 1), got ${policy.jitter}`);
  if (problems.length > 0) throw new Error(`invalid retry policy: ${problems.join('; ')}`);
  return policy;
}

/**
 * The wait before attempt `attempt + 1` once the immediate retries are spent: the first delayed retry waits
 * `baseDelayMs`, each next one twice as long, up to `maxDelayMs`. Rounded up to the transport's time
 * granularity so a transport that counts in seconds (SQS visibility) never rounds a retry down to "at once".
 */
export function retryDelay(policy: RetryPolicy, attempt: number, granularityMs = 1, random: () => number = Math.random): number {
  const delayed = Math.max(0, attempt - policy.immediate - 1);
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** delayed);
  const jittered = exponential * (1 + policy.jitter * (2 * random() - 1));
  const granule = Math.max(1, granularityMs);
  return Math.max(granule, Math.ceil(jittered / granule) * granule);
}
