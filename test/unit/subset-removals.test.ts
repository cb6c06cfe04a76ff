// What broke (deterministic subsetting, README "Subsetting": "every endpoint serves the same
// number of clients"): when endpoints left, the clients that lost one took the first endpoint of
// their round's order that they lacked, so endpoints leaving one at a time (a scale-down) piled
// the replacements onto a few endpoints: 36 clients on one where the mean was 15. Each client
// now refills from just after its own slice of the round.
import { describe, expect, it } from 'vitest';
import { Subsetter } from '../../src/health/subset.js';
import { LiveEndpoint } from '../../src/endpoints/endpoint.js';
import { parseEndpoint } from '../../src/endpoints/parse.js';

/** `n` endpoints 10.x.y.z:80. */
const fleet = (n: number): LiveEndpoint[] =>
  Array.from({ length: n }, (_, i) => new LiveEndpoint(parseEndpoint({ host: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 80 }), 10_000, 0));

describe('subsetting after endpoints leave one at a time', () => {
  it('100 clients, 30 endpoints, size 3, 10 removed one by one: no endpoint serves more than 1.5 × the mean', () => {
    const clients = Array.from({ length: 100 }, (_, c) => new Subsetter({ size: 3, clientId: c }));
    let set = fleet(30);
    for (const s of clients) s.subset(set);
    for (let r = 0; r < 10; r++) {
      set = set.filter((_, i) => i !== 3);
      for (const s of clients) s.subset(set);
    }
    const load = new Map<unknown, number>();
    for (const s of clients) for (const e of s.subset(set)) load.set(e, (load.get(e) ?? 0) + 1);
    const counts = set.map((e) => load.get(e) ?? 0);
    const mean = 300 / set.length; // 15
    expect(Math.max(...counts)).toBeLessThanOrEqual(mean * 1.5);
  });
});
