import { describe, expect, it } from 'vitest';
import { PeakEwma } from '../../src/observe/latency.js';

describe('PeakEwma', () => {
  it('decays a sample as cost × e^(-elapsed / decay), to within 1e-9 of Math.exp', () => {
    const decay = 10_000;
    let worst = 0;
    for (const elapsed of [0.001, 1, 9.99, 10, 10.01, 100, 693.1, 1_000, 6_931, 10_000, 25_000, 100_000, 1e6, 7e6]) {
      const ewma = new PeakEwma(decay, 0);
      ewma.observe(40, 0);
      const want = 40 * Math.exp(-elapsed / decay);
      const got = ewma.estimate(elapsed);
      if (want > 1e-300) worst = Math.max(worst, Math.abs(got - want) / want);
      else expect(got).toBeLessThan(1e-300);
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it('reaches 0 when the decay underflows, and never goes negative', () => {
    const ewma = new PeakEwma(1, 0);
    ewma.observe(5, 0);
    expect(ewma.estimate(1e6)).toBe(0);
    expect(ewma.estimate(740)).toBeGreaterThanOrEqual(0);
  });

  it('blends a lower sample in by the time since the last one, and takes a higher one at once', () => {
    const ewma = new PeakEwma(10_000, 0);
    ewma.observe(10, 0);
    ewma.observe(2, 10_000); // weight e^-1 on the old 10
    expect(ewma.estimate(10_000)).toBeCloseTo(10 * Math.exp(-1) + 2 * (1 - Math.exp(-1)), 9);
    ewma.observe(50, 10_001);
    expect(ewma.estimate(10_001)).toBe(50);
  });
});
