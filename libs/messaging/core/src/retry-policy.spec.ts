import { MessageRejectedError, PermanentError } from './errors';
import { decideRetry, mergeRetryPolicy, retryDelay, type RetryPolicy } from './retry-policy';

class CardExpiredError extends Error {}
class RaceLostError extends Error {}

describe('retryDelay', () => {
  const policy: RetryPolicy = { immediate: 0, baseDelayMs: 100, maxDelayMs: 1_000, jitter: 0 };

  it('doubles per attempt up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => retryDelay(policy, attempt))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('starts the backoff after the immediate retries', () => {
    expect([3, 4, 5].map((attempt) => retryDelay({ ...policy, immediate: 2 }, attempt))).toEqual([100, 200, 400]);
  });

  it('spreads delays by the jitter', () => {
    const jittered = { ...policy, jitter: 0.5 };
    expect(retryDelay(jittered, 1, 1, () => 0)).toBe(50);
    expect(retryDelay(jittered, 1, 1, () => 1)).toBe(150);
  });

  it('rounds up to the transport granularity, never down to zero', () => {
    expect(retryDelay(policy, 1, 1_000)).toBe(1_000);
    expect(retryDelay({ ...policy, baseDelayMs: 1_500, maxDelayMs: 10_000 }, 1, 1_000)).toBe(2_000);
  });
});

describe('decideRetry', () => {
  const policy: RetryPolicy = { immediate: 2, baseDelayMs: 100, maxDelayMs: 1_000, jitter: 0 };
  const transient = new Error('connection reset');
  const decide = (attempt: number, overrides: Partial<Parameters<typeof decideRetry>[0]> = {}) =>
    decideRetry({ error: transient, attempt, maxAttempts: 8, policy, ...overrides });

  it('retries at once for the immediate attempts, then with a doubling delay, then dead-letters at the maximum', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => decide(attempt))).toEqual([
      { action: 'retry', rule: 'immediate', delayMs: 0 },
      { action: 'retry', rule: 'immediate', delayMs: 0 },
      { action: 'retry', rule: 'delayed', delayMs: 100 },
      { action: 'retry', rule: 'delayed', delayMs: 200 },
      { action: 'retry', rule: 'delayed', delayMs: 400 },
      { action: 'retry', rule: 'delayed', delayMs: 800 },
      { action: 'retry', rule: 'delayed', delayMs: 1_000 },
      { action: 'dead-letter', rule: 'attempts-exhausted' },
    ]);
  });

  it('never retries past the catalogue maximum, however many immediate retries the policy allows', () => {
    const generous = { ...policy, immediate: 50 };
    expect(decide(3, { policy: generous, maxAttempts: 3 })).toEqual({ action: 'dead-letter', rule: 'attempts-exhausted' });
    expect(decide(9, { policy: generous, maxAttempts: 3 })).toEqual({ action: 'dead-letter', rule: 'attempts-exhausted' });
    expect(decide(2, { policy: generous, maxAttempts: 3 })).toEqual({ action: 'retry', rule: 'immediate', delayMs: 0 });
  });

  it('dead-letters a permanent error on its first attempt, and any MessageRejectedError with it', () => {
    expect(decide(1, { error: new PermanentError('never') })).toEqual({ action: 'dead-letter', rule: 'permanent-error' });
    expect(decide(1, { error: new MessageRejectedError('bad data') })).toEqual({ action: 'dead-letter', rule: 'permanent-error' });
  });

  it('takes the errors a handler lists as permanent, and only those, as permanent', () => {
    const permanent = [CardExpiredError];
    expect(decide(1, { error: new CardExpiredError('expired'), permanent })).toEqual({ action: 'dead-letter', rule: 'permanent-error' });
    expect(decide(1, { error: new RaceLostError('lost'), permanent })).toEqual({ action: 'retry', rule: 'immediate', delayMs: 0 });
  });

  it('rounds a delayed retry up to the transport granularity but leaves an immediate one at zero', () => {
    expect(decide(1, { granularityMs: 1_000 })).toEqual({ action: 'retry', rule: 'immediate', delayMs: 0 });
    expect(decide(3, { granularityMs: 1_000 })).toEqual({ action: 'retry', rule: 'delayed', delayMs: 1_000 });
  });
});

describe('mergeRetryPolicy', () => {
  const defaults: RetryPolicy = { immediate: 2, baseDelayMs: 200, maxDelayMs: 30_000, jitter: 0.2 };

  it("lets a handler's values beat the defaults and keeps the rest", () => {
    expect(mergeRetryPolicy(defaults, { immediate: 0, baseDelayMs: 500 })).toEqual({
      immediate: 0,
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      jitter: 0.2,
    });
    expect(mergeRetryPolicy(defaults, undefined)).toEqual(defaults);
  });

  it('names every value it cannot use', () => {
    expect(() => mergeRetryPolicy(defaults, { immediate: -1, baseDelayMs: 0 })).toThrow(
      'invalid retry policy: immediate must be a whole number ≥ 0, got -1; baseDelayMs must be ≥ 1, got 0',
    );
    expect(() => mergeRetryPolicy(defaults, { maxDelayMs: 100 })).toThrow('maxDelayMs must be ≥ baseDelayMs, got 100');
  });
});
