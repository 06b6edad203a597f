import { durationSeconds, isoDuration } from './duration';

describe('ISO 8601 durations', () => {
  it.each([
    ['PT1M', 60],
    ['PT60S', 60],
    ['PT1H', 3600],
    ['P14D', 14 * 86_400],
    ['P1W', 7 * 86_400],
    ['P1DT2H3M4S', 86_400 + 7200 + 180 + 4],
    ['PT0.5S', 0.5],
    ['P10675199DT2H48M5.4775807S', 10_675_199 * 86_400 + 2 * 3600 + 48 * 60 + 5.4775807],
  ])('reads %s as %d seconds', (iso, seconds) => {
    expect(durationSeconds(iso)).toBeCloseTo(seconds, 6);
  });

  it.each(['', 'P', 'PT', 'P1Y', 'P1M', '1M', 'PT1X'])('does not read %j', (iso) => {
    expect(durationSeconds(iso)).toBeUndefined();
  });

  it.each([
    [0, 'PT0S'],
    [5, 'PT5S'],
    [60, 'PT1M'],
    [90, 'PT1M30S'],
    [300, 'PT5M'],
    [3600, 'PT1H'],
    [86_400, 'P1D'],
    [90_061, 'P1DT1H1M1S'],
  ])('writes %d seconds as %s, and reads it back', (seconds, iso) => {
    expect(isoDuration(seconds)).toBe(iso);
    expect(durationSeconds(iso)).toBe(seconds);
  });

  it('refuses a fraction or a negative number of seconds', () => {
    expect(() => isoDuration(1.5)).toThrow('1.5 is not a whole number of seconds');
    expect(() => isoDuration(-1)).toThrow('-1 is not a whole number of seconds');
  });
});
