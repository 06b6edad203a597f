/** Delayed redelivery after a failed attempt: exponential, capped, with jitter so replicas do not retry in step. */
export interface RetryPolicy {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** 0 = exact delays; 0.2 = each delay varies by up to ±20 %. */
  readonly jitter: number;
}

export const defaultRetryPolicy: RetryPolicy = { baseDelayMs: 200, maxDelayMs: 30_000, jitter: 0.2 };

/**
 * The wait before attempt `attempt + 1`, rounded up to the transport's time granularity so a transport that
 * counts in seconds (SQS visibility) never rounds a retry down to "at once".
 */
export function retryDelay(policy: RetryPolicy, attempt: number, granularityMs = 1, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential * (1 + policy.jitter * (2 * random() - 1));
  const granule = Math.max(1, granularityMs);
  return Math.max(granule, Math.ceil(jittered / granule) * granule);
}
