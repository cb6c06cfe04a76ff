// What broke: panic was one flag over the whole pool; now each priority panics on its own (Envoy).
// Per-priority panic (Envoy, load balancing → panic threshold): below 100 % normalized total
// health, priorities keep their shares, and a priority below the threshold takes its share over
// all its endpoints; with every priority below it, calls go to all endpoints (total panic).
import { describe, expect, it } from 'vitest';
import { admittedCandidates, otherFreeAt } from '../../src/health/candidates.js';
import { level, ROUTING as routing } from '../helpers/priority-pools.js';

describe('per-priority panic', () => {
  it('a priority below the threshold keeps its share and spreads it over all its endpoints', () => {
    // Priority 0: 1 of 10 up (health 0.14, in panic); priority 1: 5 of 10 (0.7, not): total 0.84.
    const pool = [...level(0, 10, 1), ...level(1, 10, 5)];
    const c = admittedCandidates(pool, { probes: 1, panicThreshold: 50, routing });
    expect(c.panic).toBe(true);
    expect(c.levels).toBeDefined();
    expect(c.levels!.shares[0]).toBeCloseTo(0.14 / 0.84, 9);
    expect(c.levels!.shares[1]).toBeCloseTo(0.7 / 0.84, 9);
    expect(c.levels!.members[0]).toEqual(pool.slice(0, 10));
    expect(c.levels!.members[1]).toEqual(pool.slice(10, 15));
    expect(c.candidates).toEqual([...pool.slice(0, 10), ...pool.slice(10, 15)]);
    for (const e of pool.slice(0, 15)) expect(e.health!.level).toBe(e.priority);
    for (const e of pool.slice(15)) expect(e.health!.level).toBe(-1);
  });

  it('a priority with none taking calls gets no call, and no panic is reported for it', () => {
    const pool = [...level(0, 3, 0), ...level(1, 3, 2)];
    const c = admittedCandidates(pool, { probes: 1, panicThreshold: 50, routing });
    expect(c.panic).toBe(false);
    expect(c.candidates).toEqual(pool.slice(3, 5));
  });

  it('every priority below the threshold: each keeps its share by health, spread over all its endpoints (Envoy)', () => {
    const pool = [...level(0, 10, 3), ...level(1, 10, 3)];
    const c = admittedCandidates(pool, { probes: 1, panicThreshold: 50, routing });
    expect(c.panic).toBe(true);
    expect(c.panicking).toEqual(new Set([0, 1]));
    expect(c.levels!.shares[0]).toBeCloseTo(0.5, 9);
    expect(c.levels!.shares[1]).toBeCloseTo(0.5, 9);
    expect(c.candidates).toEqual(pool);
  });

  it('nothing taking calls in any priority: calls go to all endpoints', () => {
    const pool = [...level(0, 3, 0), ...level(1, 3, 0)];
    const c = admittedCandidates(pool, { probes: 1, panicThreshold: 50, routing });
    expect(c.panic).toBe(true);
    expect(c.levels).toBeUndefined();
    expect(c.candidates).toEqual(pool);
  });

  it('panicThreshold 0: no panic, and with every endpoint ejected no candidate', () => {
    const pool = [...level(0, 3, 0), ...level(1, 3, 0)];
    const c = admittedCandidates(pool, { probes: 1, panicThreshold: 0, routing });
    expect(c.panic).toBe(false);
    expect(c.candidates).toEqual([]);
  });
});

describe('the Retry-After wait in per-priority panic', () => {
  // What broke: otherFreeAt took one panic flag, so in per-priority panic it counted the ejected
  // endpoints of every priority as free, and a retry after a Retry-After went at once.
  it('counts as free only the ejected endpoints of a priority that panics, not those of one that does not', () => {
    // Priority 0: 1 of 10 up (in panic); priority 1: 3 of 5 up (60 %, not below 50 %).
    const pool = [...level(0, 10, 1), ...level(1, 5, 3)];
    const c = admittedCandidates(pool, { probes: 1, panicThreshold: 50, routing });
    expect(c.panicking).toEqual(new Set([0]));
    // Priority 0's endpoints and priority 1's healthy ones pause at their own request until 5 000;
    // priority 1's two ejected endpoints do not pause, but priority 1 is not in panic.
    for (const e of [...pool.slice(0, 10), ...pool.slice(10, 13)]) e.health!.avoidUntil = 5_000;
    expect(otherFreeAt(pool, pool[10]!, 1_000, 1, c.panicking!)).toBe(5_000);
    // In total panic priority 1's ejected endpoints would take calls now.
    expect(otherFreeAt(pool, pool[10]!, 1_000, 1, true)).toBe(1_000);
    expect(otherFreeAt(pool, pool[10]!, 1_000, 1, false)).toBe(5_000);
  });
});
