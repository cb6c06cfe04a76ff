import { describe, it, expect } from 'vitest';
import { LiveEndpoint } from '../../src/endpoints/endpoint.js';
import { parseEndpoint } from '../../src/endpoints/parse.js';
import { Candidates, pickLeastLoaded } from '../../src/pickers/p2c.js';
import { randomBits } from '../../src/pickers/random-bits.js';
import { peakEwma } from '../../src/pickers/peak-ewma.js';
import { mulberry32 } from '../helpers/prng.js';

function endpoints(count: number): LiveEndpoint[] {
  return Array.from({ length: count }, (_, i) => new LiveEndpoint(parseEndpoint({ host: '127.0.0.1', port: 8001 + i }), 10_000, 0));
}

const first = { key: undefined, tried: [] } as const;

describe('peakEwma', () => {
  it('is the default picker with a 10 s decay, exposed as latencyDecay', () => {
    expect(peakEwma().name).toBe('peakEwma');
    expect(peakEwma().latencyDecay).toBe(10_000);
    expect(peakEwma({ decay: 2_500 }).latencyDecay).toBe(2_500);
  });

  it('picks a first attempt as the general power-of-two path does: one draw, the cheaper of two', () => {
    const list = endpoints(7);
    const seed = mulberry32(41);
    list.forEach((e, i) => {
      if (i !== 3) e.latency.observe(1 + 50 * seed(), 1_000 * i); // endpoint 3 has no sample yet
      e.inflight = Math.floor(4 * seed());
      e.weight = 1 + (i % 3);
    });
    const now = 9_000;
    const picker = peakEwma({ random: mulberry32(42), now: () => now });
    picker.update(list);
    const candidates = new Candidates();
    candidates.update(list);
    const random = randomBits('test', { random: mulberry32(42) });
    const load = (e: LiveEndpoint): number => {
      const cost = e.latency.estimate(now);
      return (cost === 0 && e.inflight > 0 ? 2 ** 47 + e.inflight : cost * (e.inflight + 1)) / e.weight;
    };
    const measure = { load };
    const seen = new Set<LiveEndpoint>();
    for (let i = 0; i < 2_000; i++) {
      const picked = picker.pick(first);
      expect(picked).toBe(pickLeastLoaded(candidates, [], random, measure, 2));
      seen.add(picked as LiveEndpoint);
    }
    expect(seen.size).toBeGreaterThan(2);
  });

  it('takes the endpoint with the lower latency × (inflight + 1)', () => {
    const [a, b] = endpoints(2) as [LiveEndpoint, LiveEndpoint];
    a.latency.observe(10, 0);
    b.latency.observe(3, 0);
    const picker = peakEwma({ random: mulberry32(31), now: () => 0 });
    picker.update([a, b]);
    b.inflight = 4; // a: 10 × 1 = 10, b: 3 × 5 = 15
    for (let i = 0; i < 20; i++) expect(picker.pick(first)).toBe(a);
    b.inflight = 2; // b: 3 × 3 = 9
    for (let i = 0; i < 20; i++) expect(picker.pick(first)).toBe(b);
  });

  it('reads the estimate at now(), so an old slow sample fades', () => {
    const [a, b] = endpoints(2) as [LiveEndpoint, LiveEndpoint];
    a.latency.observe(100, 0);
    b.latency.observe(20, 0);
    let t = 0;
    const picker = peakEwma({ random: mulberry32(32), now: () => t });
    picker.update([a, b]);
    b.latency.observe(20, 60_000); // b stays at 20 ms; a was last seen at 100 ms a minute ago
    t = 0;
    expect(picker.pick(first)).toBe(b);
    t = 60_000; // a: 100 × e^-6 ≈ 0.25 ms
    expect(picker.pick(first)).toBe(a);
  });

  it('avoids an endpoint with requests pending and no sample yet', () => {
    const [hung, slow] = endpoints(2) as [LiveEndpoint, LiveEndpoint];
    hung.inflight = 1;
    slow.latency.observe(1_000, 0);
    slow.inflight = 10; // 1000 × 11, still far below the penalty
    const picker = peakEwma({ random: mulberry32(33), now: () => 0 });
    picker.update([hung, slow]);
    for (let i = 0; i < 20; i++) expect(picker.pick(first)).toBe(slow);
  });

  it('probes an endpoint with no sample and nothing pending', () => {
    const [fresh, known] = endpoints(2) as [LiveEndpoint, LiveEndpoint];
    known.latency.observe(5, 0);
    const picker = peakEwma({ random: mulberry32(34), now: () => 0 });
    picker.update([fresh, known]);
    expect(picker.pick(first)).toBe(fresh);
  });

  it('sends a slow endpoint a small share of the traffic', () => {
    // Discrete-event run: one call per ms for 20 s; four endpoints answer in 10 ms, one in 200 ms.
    const list = endpoints(5);
    const rtt = new Map(list.map((e, i) => [e, i === 4 ? 200 : 10]));
    let now = 0;
    const picker = peakEwma({ random: mulberry32(35), now: () => now });
    picker.update(list);
    const done: { at: number; e: LiveEndpoint; start: number }[] = [];
    const picks = new Map<LiveEndpoint, number>(list.map((e) => [e, 0]));
    for (now = 0; now < 20_000; now++) {
      for (let i = done.length - 1; i >= 0; i--) {
        const d = done[i]!;
        if (d.at <= now) {
          d.e.inflight--;
          d.e.latency.observe(now - d.start, now);
          done.splice(i, 1);
        }
      }
      const e = picker.pick(first) as LiveEndpoint;
      e.inflight++;
      picks.set(e, picks.get(e)! + 1);
      done.push({ at: now + rtt.get(e)!, e, start: now });
    }
    const slowShare = picks.get(list[4]!)! / 20_000;
    expect(slowShare).toBeLessThan(0.05); // uniform would give 20 %
    for (const e of list.slice(0, 4)) expect(picks.get(e)! / 20_000).toBeGreaterThan(0.2);
  });

  it('on a retry, compares only endpoints not tried', () => {
    const list = endpoints(3);
    list.forEach((e, i) => e.latency.observe([1, 50, 100][i]!, 0));
    const picker = peakEwma({ random: mulberry32(36), now: () => 0 });
    picker.update(list);
    for (let i = 0; i < 20; i++) expect(picker.pick(first)).not.toBe(list[2]);
    for (let i = 0; i < 20; i++) expect(picker.pick({ key: undefined, tried: [list[0]!] })).toBe(list[1]);
  });
});
