import { reconnectDelay } from './notification-listener';

describe('reconnectDelay', () => {
  it('starts at 100 ms and doubles per attempt up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((attempt) => reconnectDelay(attempt, 5_000))).toEqual([100, 200, 400, 800, 1_600, 3_200, 5_000]);
    expect(reconnectDelay(1_000, 5_000)).toBe(5_000);
  });
});
