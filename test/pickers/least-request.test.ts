import { describe, it, expect } from 'vitest';
import { LiveEndpoint } from '../../src/endpoints/endpoint.js';
import { parseEndpoint } from '../../src/endpoints/parse.js';
import { leastRequest } from '../../src/pickers/least-request.js';
import { mulberry32 } from '../helpers/prng.js';

function endpoints(...weights: number[]): LiveEndpoint[] {
  return weights.map((weight, i) => new LiveEndpoint(parseEndpoint({ host: '127.0.0.1', port: 8001 + i, weight }), 10_000, 0));
}

const first = { key: undefined, tried: [] } as const;

describe('leastRequest', () => {
  it('of two endpoints, takes the one with fewer requests in flight', () => {
    const [a, b] = endpoints(1, 1) as [LiveEndpoint, LiveEndpoint];
    const picker = leastRequest({ random: mulberry32(21) });
    picker.update([a, b]);
    a.inflight = 3;
    b.inflight = 1;
    for (let i = 0; i < 20; i++) expect(picker.pick(first)).toBe(b);
    b.inflight = 4;
    for (let i = 0; i < 20; i++) expect(picker.pick(first)).toBe(a);
  });

  it('with unequal weights, draws by weight and compares inflight / weight, so a heavier endpoint may carry more', () => {
    const [heavy, light] = endpoints(4, 1) as [LiveEndpoint, LiveEndpoint];
    const picker = leastRequest({ random: mulberry32(22) });
    picker.update([heavy, light]);
    const share = (): number => {
      let n = 0;
      for (let i = 0; i < 2000; i++) if (picker.pick(first) === light) n++;
      return n / 2000;
    };
    heavy.inflight = 2; // 2 / 4 = 0.5
    light.inflight = 1; // 1 / 1 = 1: heavy wins every pair it is drawn in (light only in light-light, 0.2² = 4 %)
    expect(share()).toBeLessThan(0.08);
    heavy.inflight = 8; // 8 / 4 = 2: light wins every pair it is drawn in (1 − 0.8² = 36 %)
    expect(share()).toBeGreaterThan(0.3);
    expect(share()).toBeLessThan(0.42);
  });

  it('never sends to the most loaded of many, and sends the least loaded its two-choice share', () => {
    const list = endpoints(...Array<number>(10).fill(1));
    list.forEach((e) => (e.inflight = 5));
    const busiest = list[0]!;
    const idlest = list[9]!;
    busiest.inflight = 50;
    idlest.inflight = 0;
    const picker = leastRequest({ random: mulberry32(23) });
    picker.update(list);
    let toBusiest = 0;
    let toIdlest = 0;
    for (let i = 0; i < 10_000; i++) {
      const e = picker.pick(first);
      if (e === busiest) toBusiest++;
      if (e === idlest) toIdlest++;
    }
    expect(toBusiest).toBe(0);
    // The idlest wins whenever it is one of the two drawn: 1 − (9/10)(8/9) = 20 %.
    expect(Math.abs(toIdlest / 10_000 - 0.2)).toBeLessThan(0.02);
  });

  it('keeps in-flight counts level when requests pile up', () => {
    const list = endpoints(1, 1, 1, 1, 1, 1, 1, 1);
    const picker = leastRequest({ random: mulberry32(24) });
    picker.update(list);
    for (let i = 0; i < 800; i++) (picker.pick(first) as LiveEndpoint).inflight++;
    const counts = list.map((e) => e.inflight);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(2);
  });

  it('with as many choices as endpoints, always takes the least loaded', () => {
    const list = endpoints(1, 1, 1, 1, 1, 1);
    list.forEach((e, i) => (e.inflight = 10 - i));
    const picker = leastRequest({ random: mulberry32(25), choices: 6 });
    picker.update(list);
    for (let i = 0; i < 50; i++) expect(picker.pick(first)).toBe(list[5]);
  });

  it('on a retry, compares only endpoints not tried', () => {
    const list = endpoints(1, 1, 1);
    list[0]!.inflight = 0;
    list[1]!.inflight = 5;
    list[2]!.inflight = 9;
    const picker = leastRequest({ random: mulberry32(26) });
    picker.update(list);
    for (let i = 0; i < 20; i++) expect(picker.pick({ key: undefined, tried: [list[0]!] })).toBe(list[1]);
  });
});
