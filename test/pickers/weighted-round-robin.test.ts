import { describe, it, expect } from 'vitest';
import { LiveEndpoint, type EndpointState } from '../../src/endpoints/endpoint.js';
import { parseEndpoint } from '../../src/endpoints/parse.js';
import { weightedRoundRobin } from '../../src/pickers/weighted-round-robin.js';
import { mulberry32 } from '../helpers/prng.js';

function endpoints(...weights: number[]): LiveEndpoint[] {
  return weights.map((weight, i) => new LiveEndpoint(parseEndpoint({ host: '127.0.0.1', port: 8001 + i, weight }), 10_000, 0));
}

const first = { key: undefined, tried: [] } as const;

describe('weightedRoundRobin', () => {
  it('honours fractional weights within 1% over full cycles', () => {
    const weights = [1, 2, 3.5, 0.5];
    const list = endpoints(...weights);
    const picker = weightedRoundRobin({ random: mulberry32(11) });
    picker.update(list);
    // One cycle is 14 picks (weights × 2 = 2, 4, 7, 1); run 1000 of them.
    const counts = new Map<EndpointState, number>(list.map((e) => [e, 0]));
    for (let i = 0; i < 14_000; i++) {
      const e = picker.pick(first)!;
      counts.set(e, counts.get(e)! + 1);
    }
    weights.forEach((w, i) => {
      const expected = (14_000 * w) / 7;
      expect(Math.abs(counts.get(list[i]!)! - expected)).toBeLessThanOrEqual(expected * 0.01);
    });
  });

  it('never lets any endpoint run more than 1.5 picks ahead of or behind its share', () => {
    const weights = [1, 2, 3.5, 0.5];
    const total = 7;
    for (let seed = 1; seed <= 5; seed++) {
      const list = endpoints(...weights);
      const picker = weightedRoundRobin({ random: mulberry32(seed) });
      picker.update(list);
      const counts = [0, 0, 0, 0];
      let worst = 0;
      for (let n = 1; n <= 2_000; n++) {
        counts[list.indexOf(picker.pick(first) as LiveEndpoint)]!++;
        weights.forEach((w, i) => {
          worst = Math.max(worst, Math.abs(counts[i]! - (n * w) / total));
        });
      }
      expect(worst).toBeLessThanOrEqual(1.5);
    }
  });

  it('with equal weights, is a round robin: every window of n picks holds every endpoint once', () => {
    const list = endpoints(1, 1, 1, 1, 1);
    const picker = weightedRoundRobin({ random: mulberry32(12) });
    picker.update(list);
    const picks = Array.from({ length: 100 }, () => picker.pick(first)!);
    for (let i = 0; i + 5 <= picks.length; i++) expect(new Set(picks.slice(i, i + 5)).size).toBe(5);
  });

  it('spaces the turns of a light endpoint evenly: with 5:1:1 every window of 7 picks is 5, 1, 1', () => {
    const list = endpoints(5, 1, 1);
    const picker = weightedRoundRobin({ random: mulberry32(13) });
    picker.update(list);
    const picks = Array.from({ length: 700 }, () => list.indexOf(picker.pick(first) as LiveEndpoint));
    for (let i = 0; i + 7 <= picks.length; i++) {
      const window = picks.slice(i, i + 7);
      expect([0, 1, 2].map((k) => window.filter((x) => x === k).length)).toEqual([5, 1, 1]);
    }
  });

  it('keeps its schedule across updates that keep the same endpoints', () => {
    const list = endpoints(3, 1, 2);
    const steady = weightedRoundRobin({ random: mulberry32(14) });
    const updated = weightedRoundRobin({ random: mulberry32(14) });
    steady.update(list);
    updated.update(list);
    for (let i = 0; i < 300; i++) {
      if (i % 7 === 0) updated.update([...list]);
      expect(updated.pick(first)).toBe(steady.pick(first));
    }
  });

  it('gives an added endpoint its share from then on', () => {
    const list = endpoints(1, 1, 2);
    const picker = weightedRoundRobin({ random: mulberry32(15) });
    picker.update(list.slice(0, 2));
    for (let i = 0; i < 51; i++) picker.pick(first);
    picker.update(list);
    const counts = [0, 0, 0];
    for (let i = 0; i < 400; i++) counts[list.indexOf(picker.pick(first) as LiveEndpoint)]!++;
    [100, 100, 200].forEach((expected, i) => expect(Math.abs(counts[i]! - expected)).toBeLessThanOrEqual(2));
  });

  it('reads weights at every pick, so a weight changed in place takes effect', () => {
    const list = endpoints(1, 1);
    const picker = weightedRoundRobin({ random: mulberry32(16) });
    picker.update(list);
    for (let i = 0; i < 10; i++) picker.pick(first);
    list[0]!.weight = 3;
    const counts = [0, 0];
    for (let i = 0; i < 400; i++) counts[list.indexOf(picker.pick(first) as LiveEndpoint)]!++;
    expect(Math.abs(counts[0]! - 300)).toBeLessThanOrEqual(3);
  });

  it('on a retry, takes the earliest-due endpoint not tried', () => {
    const list = endpoints(1, 1, 1);
    const a = weightedRoundRobin({ random: mulberry32(17) });
    const b = weightedRoundRobin({ random: mulberry32(17) });
    a.update(list);
    b.update(list);
    const due = a.pick(first)!;
    const next = a.pick(first)!;
    // b is in the same state as a was: its due endpoint is `due`; excluding it yields `next`.
    expect(b.pick({ key: undefined, tried: [due] })).toBe(next);
    expect(b.pick({ key: undefined, tried: [due, next] })).not.toBe(due);
  });
});

describe('weightedRoundRobin updates', () => {
  it('keeps every staying endpoint’s turn whether the update moved it or not', () => {
    const random = mulberry32(3);
    const list = endpoints(...Array.from({ length: 60 }, () => [1, 2, 0.5, 3][Math.floor(random() * 4)]!));
    const [extra] = endpoints(2);
    // Two pickers in the same state; one is given the set in a new order with an endpoint more.
    const a = weightedRoundRobin({ random: mulberry32(9) });
    const b = weightedRoundRobin({ random: mulberry32(9) });
    a.update(list);
    b.update(list);
    for (let i = 0; i < 77; i++) expect(a.pick(first)).toBe(b.pick(first));
    const gone = list[30]!;
    const kept = list.filter((e) => e !== gone);
    b.update(kept); // in place: found where they were
    a.update([extra!, ...[...kept].sort(() => random() - 0.5)]); // moved: found by the index
    const fromA = Array.from({ length: 600 }, () => a.pick(first)).filter((e) => e !== extra);
    const fromB = Array.from({ length: fromA.length }, () => b.pick(first));
    expect(fromA).toEqual(fromB);
    expect(fromA).not.toContain(gone);
  });
});
