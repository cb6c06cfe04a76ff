import { describe, it, expect } from 'vitest';
import { median, overheadRatioInterval } from '../../bench/stats.ts';

describe('overheadRatioInterval (the benchmark report\'s 95 % interval)', () => {
  it('is a single point when every process measured the same', () => {
    expect(overheadRatioInterval([300, 300, 300], [50, 50, 50], [200, 200, 200], [50, 50, 50])).toEqual([250 / 150, 250 / 150]);
  });

  it('holds the ratio of the medians, gives the same answer every time, and widens with the spread', () => {
    const raw = [50, 52, 51, 55, 50, 53, 51];
    const bulwark = [340, 350, 345, 447, 337, 344, 425];
    const pRetry = [242, 242, 247, 248, 262, 271, 241];
    const point = (median(bulwark) - median(raw)) / (median(pRetry) - median(raw));
    const [lo, hi] = overheadRatioInterval(bulwark, raw, pRetry, raw)!;
    expect(lo).toBeLessThanOrEqual(point);
    expect(hi).toBeGreaterThanOrEqual(point);
    expect(overheadRatioInterval(bulwark, raw, pRetry, raw)).toEqual([lo, hi]);
    const steady = overheadRatioInterval([345, 345, 346, 344, 345, 345, 346], raw, pRetry, raw)!;
    expect(steady[1] - steady[0]).toBeLessThan(hi - lo);
  });

  it('draws a baseline both overheads share once per resampling, and separate baselines separately', () => {
    // Shared: the ratio moves only with the one baseline, (300 − b) / (200 − b) for b in 40–60.
    const shared = [40, 60, 50, 40, 60];
    const [lo, hi] = overheadRatioInterval([300], shared, [200], shared)!;
    expect(lo).toBeGreaterThanOrEqual(260 / 160 - 1e-9);
    expect(hi).toBeLessThanOrEqual(240 / 140 + 1e-9);
    // Separate (equal) lists: drawn apart, the two baselines can differ, which widens the interval.
    const [lo2, hi2] = overheadRatioInterval([300], shared, [200], [...shared])!;
    expect(lo2).toBeLessThan(lo);
    expect(hi2).toBeGreaterThan(hi);
  });

  it('gives no interval when a list is empty or the denominator can reach zero', () => {
    expect(overheadRatioInterval([], [50], [200], [50])).toBeUndefined();
    expect(overheadRatioInterval([300, 310], [50, 52], [52, 51], [50, 52])).toBeUndefined();
  });
});
