// A penalty (a fast failure counted as 1 s) holds for its hold time, then gives way to the
// estimate from before the penalties began, which real samples meanwhile teach (see
// test/pipeline/penalty-hold-dead-endpoint-returns.test.ts for what it fixes).
import { describe, expect, it } from 'vitest';
import { LatencyEstimate } from '../../src/observe/latency.js';

describe('LatencyEstimate.observePenalty', () => {
  it('holds the penalty (decaying) until the hold ends, then the estimate is the one from before, decayed since', () => {
    const l = new LatencyEstimate(10_000, 0);
    l.observe(5, 1_000);
    l.observePenalty(1_000, 2_000, 30_000);
    expect(l.estimate(2_000)).toBe(1_000);
    expect(l.estimate(31_999)).toBeCloseTo(1_000 * Math.exp(-29_999 / 10_000), 6);
    // The hold is over: 5 ms as of t = 1 s, decayed over 31 s.
    expect(l.estimate(32_000)).toBeCloseTo(5 * Math.exp(-31_000 / 10_000), 9);
  });

  it('a later penalty holds from then on, and keeps the estimate from before the first', () => {
    const l = new LatencyEstimate(10_000, 0);
    l.observe(5, 0);
    l.observePenalty(1_000, 100, 30_000);
    l.observePenalty(1_000, 20_000, 30_000);
    expect(l.estimate(49_999)).toBeCloseTo(1_000 * Math.exp(-29_999 / 10_000), 6);
    expect(l.estimate(50_000)).toBeCloseTo(5 * Math.exp(-5), 9);
  });

  it('a penalty after its hold ended starts a new hold from the estimate as restored', () => {
    const l = new LatencyEstimate(10_000, 0);
    l.observe(5, 0);
    l.observePenalty(1_000, 100, 1_000);
    l.observePenalty(1_000, 5_000, 1_000); // the first hold ended at 1.1 s
    expect(l.estimate(5_000)).toBe(1_000);
    expect(l.estimate(6_000)).toBeCloseTo(5 * Math.exp(-0.6), 9);
  });

  it('a sample during the hold counts for the estimate from before too: the hold still ends on time, with that sample in it', () => {
    const quiet = new LatencyEstimate(10_000, 0);
    const answered = new LatencyEstimate(10_000, 0);
    for (const l of [quiet, answered]) {
      l.observe(5, 0);
      l.observePenalty(1_000, 1_000, 30_000);
    }
    answered.observe(5, 2_000); // back, and answering in 5 ms
    // Still held: blended into the penalty, as a sample below the estimate is.
    expect(answered.estimate(2_000)).toBeGreaterThan(800);
    // At the hold's end: the 5 ms of 2 s, decayed since (not the penalty's remains, ≈ 45 ms).
    expect(answered.estimate(31_000)).toBeCloseTo(5 * Math.exp(-29_000 / 10_000), 9);
    expect(quiet.estimate(31_000)).toBeCloseTo(5 * Math.exp(-31_000 / 10_000), 9);
  });

  it('a slow sample during the hold is real: the estimate the hold gives way to has it', () => {
    const l = new LatencyEstimate(10_000, 0);
    l.observe(5, 0);
    l.observePenalty(1_000, 100, 1_000);
    l.observe(3_000, 500);
    expect(l.estimate(500)).toBe(3_000);
    expect(l.estimate(1_100)).toBeCloseTo(3_000 * Math.exp(-0.06), 6);
  });

  it('a penalty is no sample: an estimate that only ever had penalties is unsampled, and 0 once the hold is over', () => {
    const l = new LatencyEstimate(10_000, 0);
    l.observePenalty(1_000, 0, 30_000);
    expect(l.sampled).toBe(false);
    expect(l.estimate(10_000)).toBeCloseTo(1_000 * Math.exp(-1), 6);
    expect(l.estimate(30_000)).toBe(0);
    expect(l.sampled).toBe(false);
    l.observe(5, 30_000);
    expect(l.sampled).toBe(true);
  });

  it('retimeHold moves the end of a hold in progress (from the last penalty), and does nothing without one', () => {
    const l = new LatencyEstimate(10_000, 0);
    l.retimeHold(1_000, 0);
    l.observe(5, 0);
    l.observePenalty(1_000, 100, 30_000);
    l.retimeHold(2_000, 1_000);
    expect(l.estimate(2_099)).toBeGreaterThan(800);
    expect(l.estimate(2_100)).toBeCloseTo(5 * Math.exp(-0.21), 9);
  });

  it('retimeHold leaves a hold that was over by then over, even if nothing read it since (found by a diff review)', () => {
    const l = new LatencyEstimate(10_000, 0);
    l.observe(5, 0);
    l.observePenalty(1_000, 200, 5_000);
    l.retimeHold(60_000, 10_000);
    expect(l.estimate(10_000)).toBeCloseTo(5 * Math.exp(-1), 9);
  });

  it('a penalty recorded with an earlier time (a clock that went back) does not shorten the hold', () => {
    const l = new LatencyEstimate(10_000, 0);
    l.observe(5, 0);
    l.observePenalty(1_000, 10_000, 30_000);
    l.observePenalty(1_000, 9_000, 30_000);
    expect(l.estimate(39_999)).toBeGreaterThan(40);
  });

  it('a sample that comes after the hold ended (nothing read it in between) goes on from the estimate from before', () => {
    const l = new LatencyEstimate(10_000, 0);
    l.observe(5, 0);
    l.observePenalty(1_000, 100, 1_000);
    l.observe(4, 10_000);
    expect(l.estimate(10_000)).toBeLessThan(5);
  });

  it('observeAtLeast below the held penalty leaves it, but teaches the estimate from before; lowerThan reads a hold that is over as over', () => {
    const a = new LatencyEstimate(10_000, 0);
    const b = new LatencyEstimate(10_000, 0);
    a.observe(5, 0);
    b.observe(5, 0);
    a.observePenalty(1_000, 100, 1_000);
    a.observeAtLeast(3, 500); // below 5 ms decayed to 500 ms (4.76): nothing to learn
    expect(a.estimate(500)).toBeGreaterThan(900);
    expect(b.lowerThan(1, a, 1, 1_000)).toBe(true);
    // At 1.1 s a's hold is over: 5 ms as of 0, the same as b's.
    expect(a.lowerThan(1, b, 1, 1_100)).toBe(false);
    expect(b.lowerThan(1, a, 1, 1_100)).toBe(false);
    expect(a.estimate(1_100)).toBeCloseTo(b.estimate(1_100), 12);
    // A lower bound above the estimate from before, while held: that estimate learns it.
    a.observePenalty(1_000, 2_000, 1_000);
    a.observeAtLeast(200, 2_500);
    expect(a.estimate(2_500)).toBeGreaterThan(900);
    expect(a.estimate(3_000)).toBeCloseTo(200 * Math.exp(-0.05), 6);
  });
});
