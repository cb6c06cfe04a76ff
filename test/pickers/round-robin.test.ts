import { describe, it, expect } from 'vitest';
import { LiveEndpoint, type EndpointState } from '../../src/endpoints/endpoint.js';
import { parseEndpoint } from '../../src/endpoints/parse.js';
import { roundRobin } from '../../src/pickers/round-robin.js';
import { mulberry32 } from '../helpers/prng.js';

function endpoints(count: number, firstPort = 8001): EndpointState[] {
  return Array.from({ length: count }, (_, i) => new LiveEndpoint(parseEndpoint({ host: '127.0.0.1', port: firstPort + i }), 10_000, 0));
}

const first = { key: undefined, tried: [] } as const;

describe('roundRobin', () => {
  it('rotates through the candidates in exact order', () => {
    const list = endpoints(4);
    const picker = roundRobin({ random: mulberry32(1) });
    picker.update(list);
    const picks = Array.from({ length: 40 }, () => picker.pick(first));
    const start = list.indexOf(picks[0]!);
    expect(start).toBeGreaterThanOrEqual(0);
    picks.forEach((e, i) => expect(e).toBe(list[(start + i) % 4]));
  });

  it('starts at a random offset so clients started together spread their first calls', () => {
    const list = endpoints(4);
    const starts = new Set<EndpointState | undefined>();
    for (let seed = 1; seed <= 20; seed++) {
      const picker = roundRobin({ random: mulberry32(seed) });
      picker.update(list);
      starts.add(picker.pick(first));
    }
    expect(starts.size).toBeGreaterThan(1);
  });

  it('keeps rotating fairly when updated after every pick', () => {
    const list = endpoints(4);
    const picker = roundRobin({ random: mulberry32(2) });
    const counts = new Map<EndpointState, number>();
    for (let i = 0; i < 40; i++) {
      picker.update([...list]);
      const e = picker.pick(first)!;
      counts.set(e, (counts.get(e) ?? 0) + 1);
    }
    expect([...counts.values()]).toEqual([10, 10, 10, 10]);
  });

  it('continues over the new set when an endpoint is removed', () => {
    const list = endpoints(5);
    const picker = roundRobin({ random: mulberry32(3) });
    picker.update(list);
    for (let i = 0; i < 7; i++) picker.pick(first);
    const smaller = list.filter((_, i) => i !== 2);
    picker.update(smaller);
    const picks = Array.from({ length: 12 }, () => picker.pick(first)!);
    const start = smaller.indexOf(picks[0]!);
    picks.forEach((e, i) => expect(e).toBe(smaller[(start + i) % 4]));
  });

  it('skips endpoints the call already tried', () => {
    const list = endpoints(4);
    const picker = roundRobin({ random: () => 0 });
    picker.update(list);
    expect(picker.pick({ key: undefined, tried: [list[0]!, list[1]!] })).toBe(list[2]);
    expect(picker.pick({ key: undefined, tried: [list[3]!, list[0]!, list[1]!] })).toBe(list[2]);
    // Every candidate was tried: the one in turn is as good as any.
    expect(list).toContain(picker.pick({ key: undefined, tried: list }));
  });

  it('returns undefined only when it has no candidates', () => {
    const picker = roundRobin();
    expect(picker.pick(first)).toBeUndefined();
    picker.update([]);
    expect(picker.pick(first)).toBeUndefined();
    const list = endpoints(1);
    picker.update(list);
    expect(picker.pick(first)).toBe(list[0]);
    expect(picker.pick({ key: undefined, tried: list })).toBe(list[0]);
  });
});
