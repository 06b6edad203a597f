import { retryDelay } from './retry-policy';

describe('retryDelay', () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1_000, jitter: 0 };

  it('doubles per attempt up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => retryDelay(policy, attempt))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
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
