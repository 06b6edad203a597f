import { formatRatio, percentile, ratio, summarizeLatencies } from './stats';

describe('percentile', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted on purpose

  it('is the nearest rank: p50 of 1…100 is 50, p99 is 99, p100 the max', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
  });

  it('takes the next value up when the rank falls between two', () => {
    expect(percentile([1, 2, 3], 50)).toBe(2);
    expect(percentile([10, 20], 99)).toBe(20);
    expect(percentile([5], 1)).toBe(5);
  });

  it('is NaN for no values and refuses a percentile outside (0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow('percentile must be in (0, 100], got 0');
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it('leaves the values it was given in their order', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('summarizeLatencies', () => {
  it('gives p50, p99, max and how many values', () => {
    const values = Array.from({ length: 1_000 }, (_, i) => i + 1);
    expect(summarizeLatencies(values)).toEqual({ p50: 500, p99: 990, max: 1_000, count: 1_000 });
  });
});

describe('ratio', () => {
  it('divides by the baseline', () => {
    expect(ratio(3_000, 12_000)).toBe(0.25);
    expect(ratio(4.2, 0.42)).toBeCloseTo(10);
  });

  it('is NaN when the baseline is zero or either figure is missing', () => {
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(NaN, 1)).toBeNaN();
    expect(ratio(1, Infinity)).toBeNaN();
  });
});

describe('formatRatio', () => {
  it('keeps two significant digits, whole numbers from 10 up, and a dash for no ratio', () => {
    expect(formatRatio(0.4234)).toBe('0.42×');
    expect(formatRatio(1)).toBe('1.0×');
    expect(formatRatio(3.14159)).toBe('3.1×');
    expect(formatRatio(12.6)).toBe('13×');
    expect(formatRatio(NaN)).toBe('–');
  });
});
