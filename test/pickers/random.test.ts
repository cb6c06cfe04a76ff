import { describe, it, expect } from 'vitest';
import { LiveEndpoint, type EndpointState } from '../../src/endpoints/endpoint.js';
import { parseEndpoint } from '../../src/endpoints/parse.js';
import { random } from '../../src/pickers/random.js';
import { mulberry32 } from '../helpers/prng.js';

function endpoints(count: number): EndpointState[] {
  return Array.from({ length: count }, (_, i) => new LiveEndpoint(parseEndpoint({ host: '127.0.0.1', port: 8001 + i }), 10_000, 0));
}

function countPicks(pick: () => EndpointState | undefined, times: number): Map<EndpointState | undefined, number> {
  const counts = new Map<EndpointState | undefined, number>();
  for (let i = 0; i < times; i++) {
    const e = pick();
    counts.set(e, (counts.get(e) ?? 0) + 1);
  }
  return counts;
}

describe('random', () => {
  it('picks every endpoint about equally often', () => {
    const list = endpoints(5);
    const picker = random({ random: mulberry32(7) });
    picker.update(list);
    const counts = countPicks(() => picker.pick({ key: undefined, tried: [] }), 50_000);
    expect(counts.size).toBe(5);
    for (const e of list) expect(Math.abs(counts.get(e)! - 10_000)).toBeLessThan(300);
  });

  it('on a retry, picks uniformly among the endpoints not tried', () => {
    const list = endpoints(5);
    const picker = random({ random: mulberry32(8) });
    picker.update(list);
    const tried = [list[1]!, list[3]!];
    const counts = countPicks(() => picker.pick({ key: undefined, tried }), 30_000);
    expect(counts.has(list[1])).toBe(false);
    expect(counts.has(list[3])).toBe(false);
    for (const i of [0, 2, 4]) expect(Math.abs(counts.get(list[i])! - 10_000)).toBeLessThan(300);
  });

  it('uses the injected source, so runs are reproducible', () => {
    const list = endpoints(8);
    const a = random({ random: mulberry32(9) });
    const b = random({ random: mulberry32(9) });
    a.update(list);
    b.update(list);
    for (let i = 0; i < 100; i++) expect(a.pick({ key: undefined, tried: [] })).toBe(b.pick({ key: undefined, tried: [] }));
  });

  it('stays in range whatever the source returns', () => {
    const list = endpoints(3);
    for (const value of [0, 0.9999999999, 1, -1, Number.NaN]) {
      const picker = random({ random: () => value });
      picker.update(list);
      expect(list).toContain(picker.pick({ key: undefined, tried: [] }));
      expect(list).toContain(picker.pick({ key: undefined, tried: [list[0]!] }));
    }
  });
});
