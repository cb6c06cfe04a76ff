import { describe, expect, it } from 'vitest';
import { LatencyEstimate } from '../../src/observe/latency.js';
import { mulberry32 } from '../helpers/prng.js';

describe('LatencyEstimate (endpoint.latency, public as PeakEwma)', () => {
  it('decays a sample as cost × e^(-elapsed / decay), to within 1e-9 of Math.exp', () => {
    const decay = 10_000;
    let worst = 0;
    for (const elapsed of [0.001, 1, 9.99, 10, 10.01, 100, 693.1, 1_000, 6_931, 10_000, 25_000, 100_000, 1e6, 7e6]) {
      const ewma = new LatencyEstimate(decay, 0);
      ewma.observe(40, 0);
      const want = 40 * Math.exp(-elapsed / decay);
      const got = ewma.estimate(elapsed);
      if (want > 1e-300) worst = Math.max(worst, Math.abs(got - want) / want);
      else expect(got).toBeLessThan(1e-300);
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it('reaches 0 when the decay underflows, and never goes negative', () => {
    const ewma = new LatencyEstimate(1, 0);
    ewma.observe(5, 0);
    expect(ewma.estimate(1e6)).toBe(0);
    expect(ewma.estimate(740)).toBeGreaterThanOrEqual(0);
  });

  it('blends a lower sample in by the time since the last one, and takes a higher one at once', () => {
    const ewma = new LatencyEstimate(10_000, 0);
    ewma.observe(10, 0);
    // The old 10 has decayed to 10·e^-1 by now; the lower 2 is blended into that with weight e^-1
    // (never into the stale 10, which would raise the estimate above where it stood).
    ewma.observe(2, 10_000);
    const current = 10 * Math.exp(-1);
    expect(ewma.estimate(10_000)).toBeCloseTo(current * Math.exp(-1) + 2 * (1 - Math.exp(-1)), 9);
    expect(ewma.estimate(10_000)).toBeLessThan(current);
    ewma.observe(50, 10_001);
    expect(ewma.estimate(10_001)).toBe(50);
  });

  it('compares two estimates with lowerThan as estimate(now) × factor does, whichever sample is older', () => {
    const random = mulberry32(11);
    let disagreements = 0;
    for (let k = 0; k < 20_000; k++) {
      const a = new LatencyEstimate(10_000, 0);
      const b = new LatencyEstimate(10_000, 0);
      // Samples up to ~10 decay constants apart, some at the same instant, some without a sample.
      const sa = Math.floor(random() * 4) === 0 ? 5_000 : random() * 100_000;
      const sb = Math.floor(random() * 4) === 0 ? 5_000 : random() * 100_000;
      if (random() > 0.05) a.observe(0.1 + random() * 50, sa);
      if (random() > 0.05) b.observe(0.1 + random() * 50, sb);
      const now = Math.max(sa, sb) + random() * 20_000;
      const fa = 1 + Math.floor(random() * 5);
      const fb = 1 + Math.floor(random() * 5);
      const want = a.estimate(now) * fa < b.estimate(now) * fb;
      if (a.lowerThan(fa, b, fb, now) !== want) disagreements++;
      expect(b.lowerThan(fb, a, fa, now)).toBe(b.estimate(now) * fb < a.estimate(now) * fa);
    }
    expect(disagreements).toBe(0);
  });

  it('compares the estimates themselves when a sample is later than now or the decays differ', () => {
    const a = new LatencyEstimate(10_000, 0);
    const b = new LatencyEstimate(10_000, 0);
    a.observe(10, 1_000);
    b.observe(9, 0);
    // At 500 a's sample is in the future: its estimate is its cost, not one grown backwards.
    expect(a.lowerThan(1, b, 1, 500)).toBe(a.estimate(500) < b.estimate(500));
    expect(b.lowerThan(1, a, 1, 500)).toBe(true);
    const c = new LatencyEstimate(100, 0);
    c.observe(10, 1_000);
    expect(c.lowerThan(1, b, 1, 1_200)).toBe(c.estimate(1_200) < b.estimate(1_200));
    expect(b.lowerThan(1, c, 1, 1_200)).toBe(b.estimate(1_200) < c.estimate(1_200));
  });

  it('keeps the order of two long-unsampled estimates where both have underflowed to 0', () => {
    const a = new LatencyEstimate(1, 0);
    const b = new LatencyEstimate(1, 0);
    a.observe(10, 0);
    b.observe(20, 0);
    expect(a.estimate(1e6)).toBe(0);
    expect(a.lowerThan(1, b, 1, 1e6)).toBe(true);
    expect(b.lowerThan(1, a, 1, 1e6)).toBe(false);
  });

  it('reports whether a sample above 0 ms was recorded', () => {
    const ewma = new LatencyEstimate(10_000, 0);
    expect(ewma.sampled).toBe(false);
    ewma.observe(0, 1);
    expect(ewma.sampled).toBe(false);
    ewma.observe(0.5, 2);
    expect(ewma.sampled).toBe(true);
  });
});
