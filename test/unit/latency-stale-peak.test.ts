// endpoint.latency (peak EWMA) compared a new sample with, and blended it into, the last stored
// sample rather than the estimate as it stood after decaying: ten seconds after a 100 ms sample
// (estimate 36.8 ms), a 50 ms sample gave 68.4 ms, above both; and a lower sample could raise the
// estimate. A sample above the decayed estimate now replaces it, as Finagle's PeakEwma (whose
// picks decay it on every read) and the README ("a slow sample counts at once") have it.
import { describe, it, expect } from 'vitest';
import { LatencyEstimate } from '../../src/observe/latency.js';

describe('peak EWMA after decay', () => {
  it('a sample above the decayed estimate replaces it; the estimate never exceeds max(previous estimate, sample)', () => {
    const l = new LatencyEstimate(10_000, 0);
    l.observe(100, 0);
    const before = l.estimate(10_000);
    expect(before).toBeCloseTo(36.79, 1);
    l.observe(50, 10_000);
    const after = l.estimate(10_000);
    expect(after).toBeLessThanOrEqual(Math.max(before, 50) + 1e-9); // actual: ≈ 68.4
    expect(after).toBeCloseTo(50, 6);
  });
});
