import { describe, it, expect } from 'vitest';
import { LiveEndpoint, type EndpointState } from '../../src/endpoints/endpoint.js';
import { parseEndpoint } from '../../src/endpoints/parse.js';
import { Candidates, pickAtRandom, pickLeastLoaded } from '../../src/pickers/p2c.js';
import { randomBits } from '../../src/pickers/random-bits.js';
import { mulberry32 } from '../helpers/prng.js';

function endpoints(count: number, firstPort = 8001): EndpointState[] {
  return Array.from({ length: count }, (_, i) => new LiveEndpoint(parseEndpoint({ host: '127.0.0.1', port: firstPort + i }), 10_000, 0));
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

describe('pickAtRandom', () => {
  it('picks uniformly among untried candidates', () => {
    const list = endpoints(6);
    const candidates = new Candidates();
    candidates.update(list);
    const random = randomBits('test', { random: mulberry32(52) });
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
    const random = randomBits('test', { random: mulberry32(53) });
    const compared: EndpointState[] = [];
    const pairs = new Map<string, number>();
    let notTwoDistinct = 0;
    for (let i = 0; i < 20_000; i++) {
      compared.length = 0;
      pickLeastLoaded(candidates, [], random, { load: (e) => (compared.push(e), 0) }, 2);
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
    const random = randomBits('test', { random: mulberry32(54) });
    let firstWins = 0;
    for (let i = 0; i < 2_000; i++) if (pickLeastLoaded(candidates, [], random, { load: () => 1 }, 2) === list[0]) firstWins++;
    expect(Math.abs(firstWins - 1_000)).toBeLessThan(100);
  });

  it('with every candidate tried, chooses among all of them', () => {
    const list = endpoints(3);
    const candidates = new Candidates();
    candidates.update(list);
    const loads = new Map(list.map((e, i) => [e, [5, 1, 9][i]!]));
    expect(pickLeastLoaded(candidates, list, randomBits('test', { random: mulberry32(55) }), { load: (e) => loads.get(e)! }, 3)).toBe(list[1]);
  });
});
