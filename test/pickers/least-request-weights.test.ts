// What broke (leastRequest with weights, recommended when "you need weights with load
// awareness"): comparing (in-flight + 1) / weight between uniform draws sent a weight-1 endpoint
// next to a weight-3 one no call at all while nothing was in flight. Envoy's least_request with
// unequal weights schedules hosts by weight / (active_requests + 1) (EDF), so with nothing in
// flight each host gets calls in proportion to its weight; it never starves a host.
import { describe, expect, it } from 'vitest';
import { leastRequest } from '../../src/index.js';
import { mulberry32 } from '../helpers/prng.js';
import { LiveEndpoint } from '../../src/endpoints/endpoint.js';
import { parseEndpoint } from '../../src/endpoints/parse.js';

/** `n` endpoints 10.x.y.z:80, weight `weight(i)`. */
const fleet = (n: number, weight: (i: number) => number): LiveEndpoint[] =>
  Array.from({ length: n }, (_, i) => new LiveEndpoint(parseEndpoint({ host: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 80, weight: weight(i) }), 10_000, 0));
const first = { key: undefined, tried: [] } as const;

describe('leastRequest with weights and nothing in flight', () => {
  it('weights 3:1 send the weight-1 endpoint about a quarter of sequential calls, not none', () => {
    const list = fleet(2, (i) => (i === 0 ? 3 : 1));
    const picker = leastRequest({ random: mulberry32(1) });
    picker.update(list);
    let light = 0;
    const n = 4000;
    for (let i = 0; i < n; i++) if (picker.pick(first) === list[1]) light++;
    expect(light / n).toBeGreaterThan(0.15);
    expect(light / n).toBeLessThan(0.35);
  });

  it.each([2, 3])('five endpoints of weight 2 and five of weight 1 (choices %i): the heavy ones get ≈ 2/3 of sequential calls', (choices) => {
    const list = fleet(10, (i) => (i < 5 ? 2 : 1));
    const picker = leastRequest({ random: mulberry32(2), choices });
    picker.update(list);
    let heavy = 0;
    const n = 10_000;
    for (let i = 0; i < n; i++) if (list.indexOf(picker.pick(first) as (typeof list)[number]) < 5) heavy++;
    expect(heavy / n).toBeGreaterThan(0.62);
    expect(heavy / n).toBeLessThan(0.72);
  });
});
