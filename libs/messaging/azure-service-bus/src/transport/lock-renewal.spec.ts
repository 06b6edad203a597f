import { LockRenewer, renewalDelay } from './lock-renewal';

describe('renewalDelay', () => {
  it('renews half-way through what is left, and never in the last second', () => {
    expect(renewalDelay(30_000, 0)).toBe(15_000);
    expect(renewalDelay(10_000, 8_000)).toBe(1_000);
    expect(renewalDelay(1_500, 0)).toBe(500);
    expect(renewalDelay(1_000, 2_000)).toBe(0);
  });
});

describe('LockRenewer', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('keeps renewing a lock while the handler runs past the lock duration, and stops when told', async () => {
    const renewedAt: number[] = [];
    const renewer = new LockRenewer(
      async () => {
        renewedAt.push(Date.now());
        return new Date(Date.now() + 30_000);
      },
      () => undefined,
    );
    renewer.start(30_000);
    await jest.advanceTimersByTimeAsync(100_000);
    expect(renewedAt).toEqual([15_000, 30_000, 45_000, 60_000, 75_000, 90_000]);
    renewer.stop();
    await jest.advanceTimersByTimeAsync(100_000);
    expect(renewedAt).toHaveLength(6);
  });

  it('gives up after a failed renewal and says so once', async () => {
    const lost = jest.fn();
    const renew = jest.fn().mockRejectedValue(new Error('MessageLockLost'));
    new LockRenewer(renew, lost).start(30_000);
    await jest.advanceTimersByTimeAsync(100_000);
    expect(renew).toHaveBeenCalledTimes(1);
    expect(lost).toHaveBeenCalledTimes(1);
  });
});
