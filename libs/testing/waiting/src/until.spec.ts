import { until } from './until';

/** A condition that holds from its `turn`-th look on, counting the looks. */
function holdsFrom(turn: number): { looks: () => number; condition: () => Promise<boolean> } {
  let looks = 0;
  return { looks: () => looks, condition: async () => ++looks >= turn };
}

describe('until', () => {
  it('resolves once an async condition turns true, and looks no more', async () => {
    const { looks, condition } = holdsFrom(3);
    await until('the third look', condition);
    expect(looks()).toBe(3);
  });

  it('looks once even with no time to wait', async () => {
    await expect(until('a condition that already holds', () => true, { timeoutMs: 0 })).resolves.toBeUndefined();
  });

  it('names what it waited for when it times out', async () => {
    await expect(until('order 1 confirmed', () => false, { timeoutMs: 20 })).rejects.toThrow(
      new Error('timed out after 0.02 s waiting for order 1 confirmed'),
    );
  });

  it('adds the state it was given, described when it times out', async () => {
    let status = 'pending';
    const waiting = until('order 1 confirmed', () => false, { timeoutMs: 20, state: async () => `order 1 is ${status}` });
    status = 'cancelled';
    await expect(waiting).rejects.toThrow(new Error('timed out after 0.02 s waiting for order 1 confirmed; order 1 is cancelled'));
  });

  it('still reports the timeout when the state cannot be described', async () => {
    const state = async (): Promise<string> => {
      throw new Error('the broker is gone');
    };
    await expect(until('order 1 confirmed', () => false, { timeoutMs: 0, state })).rejects.toThrow(
      new Error('timed out after 0 s waiting for order 1 confirmed; its state could not be described: the broker is gone'),
    );
  });

  it('rejects with the error of a condition that throws, at once, without looking again', async () => {
    const failure = new Error('relation "stitch_outbox" does not exist');
    let looks = 0;
    const condition = (): boolean => {
      looks += 1;
      throw failure;
    };
    await expect(until('the outbox to empty', condition, { timeoutMs: 60_000 })).rejects.toBe(failure);
    expect(looks).toBe(1);
  });

  it('refuses a wait that names nothing, or a timeout or interval that is no length of time', async () => {
    await expect(until(' ', () => true)).rejects.toThrow('until: `what` must say what is waited for, got an empty string');
    await expect(until('x', () => true, { timeoutMs: -1 })).rejects.toThrow(
      'until: timeoutMs must be a finite number of milliseconds, 0 or more, got -1',
    );
    await expect(until('x', () => true, { timeoutMs: Number.NaN })).rejects.toThrow('timeoutMs must be a finite number');
    await expect(until('x', () => true, { intervalMs: 0 })).rejects.toThrow(
      'until: intervalMs must be a finite number of milliseconds above 0, got 0',
    );
    await expect(until('x', () => true, { intervalMs: Number.POSITIVE_INFINITY })).rejects.toThrow('intervalMs must be a finite number');
  });

  describe('by default', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('looks every 10 ms', async () => {
      const { looks, condition } = holdsFrom(Number.POSITIVE_INFINITY);
      const waiting = until('nothing', condition).catch(() => undefined);
      await jest.advanceTimersByTimeAsync(100);
      expect(looks()).toBe(11);
      await jest.advanceTimersByTimeAsync(5_000);
      await waiting;
    });

    it('gives up after 5 s', async () => {
      let failure: unknown;
      const waiting = until('nothing', () => false).catch((error: unknown) => (failure = error));
      await jest.advanceTimersByTimeAsync(4_990);
      expect(failure).toBeUndefined();
      await jest.advanceTimersByTimeAsync(20);
      await waiting;
      expect(failure).toEqual(new Error('timed out after 5 s waiting for nothing'));
    });
  });
});
