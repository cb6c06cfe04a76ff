import { describe, it, expect } from 'vitest';
import { EndpointState } from '../../src/endpoints/endpoint.js';
import { parseEndpoint } from '../../src/endpoints/parse.js';
import { Candidates, draw, drawTwo, pickAtRandom, pickLeastLoaded, randomOption } from '../../src/pickers/p2c.js';
import { mulberry32 } from '../helpers/prng.js';

function endpoints(count: number, firstPort = 8001): EndpointState[] {
  return Array.from({ length: count }, (_, i) => new EndpointState(parseEndpoint({ host: '127.0.0.1', port: firstPort + i }), 10_000, 0));
}

describe('Candidates', () => {
  it('counts and indexes untried candidates as a filter would, with repeats and stale entries in tried', () => {
    const random = mulberry32(51);
    const stale = endpoints(3, 9001);
    for (let round = 0; round < 300; round++) {
      const list = endpoints(1 + Math.floor(random() * 12));
      const tried: EndpointState[] = [];
      const size = Math.floor(random() * 8);
      for (let i = 0; i < size; i++) {
        tried.push(random() < 0.2 ? stale[Math.floor(random() * 3)]! : list[Math.floor(random() * list.length)]!);
      }
      const candidates = new Candidates();
      candidates.update(list);
      const expected = list.map((e, i) => [e, i] as const).filter(([e]) => !tried.includes(e)).map(([, i]) => i);
      expect(candidates.untried(tried)).toBe(expected.length);
      expected.forEach((index, r) => expect(candidates.nthUntried(r, tried)).toBe(index));
    }
  });
});

describe('randomOption', () => {
  it('keeps a user source in range, so every draw stays in [0, m) and a pair is two distinct indices', () => {
    for (const value of [0, 0.5, 0.9999999999999999, 1, 2, -0.5, Number.NaN, Infinity, '0.5', undefined]) {
      const random = randomOption('test', { random: () => value });
      for (const m of [2, 3, 7, 1024]) {
        const i = draw(random, m);
        expect(i).toBeGreaterThanOrEqual(0);
        expect(i).toBeLessThan(m);
        const pair = drawTwo(random, m);
        const [first, second] = [pair >> 11, pair & 2047];
        expect(first).toBeGreaterThanOrEqual(0);
        expect(first).toBeLessThan(m);
        expect(second).toBeGreaterThanOrEqual(0);
        expect(second).toBeLessThan(m);
        expect(second).not.toBe(first);
      }
    }
  });

  it('passes a source that stays in [0, 1) through unchanged', () => {
    const values = [0, 0.25, 0.5, 0.999];
    let i = 0;
    const random = randomOption('test', { random: () => values[i++ % values.length] });
    expect(values.map(() => random())).toEqual(values);
  });
});

describe('drawTwo', () => {
  it('draws every ordered pair of distinct indices about equally often', () => {
    const random = mulberry32(7);
    const m = 4;
    const counts = new Map<number, number>();
    const n = 120_000;
    for (let k = 0; k < n; k++) {
      const pair = drawTwo(random, m);
      counts.set(pair, (counts.get(pair) ?? 0) + 1);
    }
    expect(counts.size).toBe(m * (m - 1));
    for (const c of counts.values()) expect(Math.abs(c / n - 1 / 12)).toBeLessThan(0.005);
  });
});

describe('pickAtRandom', () => {
  it('picks uniformly among untried candidates', () => {
    const list = endpoints(6);
    const candidates = new Candidates();
    candidates.update(list);
    const random = mulberry32(52);
    const tried = [list[0]!, list[0]!, list[4]!];
    const counts = new Map<EndpointState | undefined, number>();
    for (let i = 0; i < 40_000; i++) {
      const e = pickAtRandom(candidates, tried, random);
      counts.set(e, (counts.get(e) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => list.indexOf(a!) - list.indexOf(b!))).toEqual([list[1], list[2], list[3], list[5]]);
    for (const c of counts.values()) expect(Math.abs(c - 10_000)).toBeLessThan(300);
  });
});

describe('pickLeastLoaded', () => {
  it('compares two distinct candidates, each drawn uniformly', () => {
    const list = endpoints(5);
    const candidates = new Candidates();
    candidates.update(list);
    const random = mulberry32(53);
    const compared: EndpointState[] = [];
    const pairs = new Map<string, number>();
    let notTwoDistinct = 0;
    for (let i = 0; i < 20_000; i++) {
      compared.length = 0;
      pickLeastLoaded(candidates, [], random, (e) => (compared.push(e), 0), 2);
      if (compared.length !== 2 || compared[0] === compared[1]) notTwoDistinct++;
      const pair = compared.map((e) => list.indexOf(e)).sort().join();
      pairs.set(pair, (pairs.get(pair) ?? 0) + 1);
    }
    expect(notTwoDistinct).toBe(0);
    expect(pairs.size).toBe(10); // every unordered pair of 5
    for (const c of pairs.values()) expect(Math.abs(c - 2_000)).toBeLessThan(200);
  });

  it('breaks equal loads at random, also when it compares every candidate', () => {
    const list = endpoints(2);
    const candidates = new Candidates();
    candidates.update(list);
    const random = mulberry32(54);
    let firstWins = 0;
    for (let i = 0; i < 2_000; i++) if (pickLeastLoaded(candidates, [], random, () => 1, 2) === list[0]) firstWins++;
    expect(Math.abs(firstWins - 1_000)).toBeLessThan(100);
  });

  it('with every candidate tried, chooses among all of them', () => {
    const list = endpoints(3);
    const candidates = new Candidates();
    candidates.update(list);
    const loads = new Map(list.map((e, i) => [e, [5, 1, 9][i]!]));
    expect(pickLeastLoaded(candidates, list, mulberry32(55), (e) => loads.get(e)!, 3)).toBe(list[1]);
  });
});
