// What broke (ringHash): point j of an endpoint was MurmurHash3(j) seeded with the 32-bit hash of its id, so
// two ids whose 32-bit hashes collide get the very same points, and the tie-break by id gives
// every one of them to the same endpoint. Among 100 000 endpoints (a size README discusses) such
// a pair exists with probability ≈ 1 − e^(−n²/2³³) ≈ 69 %. Envoy hashes "address_j" per point,
// so a collision costs one point, not all of them.
import { describe, expect, it } from 'vitest';
import { LiveEndpoint } from '../../src/endpoints/endpoint.js';
import { parseEndpoint } from '../../src/endpoints/parse.js';
import { ringHash } from '../../src/index.js';
import { murmur3 } from '../../src/pickers/murmur3.js';
import { mulberry32 } from '../helpers/prng.js';

const ep = (host: string): LiveEndpoint => new LiveEndpoint(parseEndpoint({ host, port: 80 }), 10_000, 0);

describe('ringHash with two endpoint ids whose 32-bit hashes collide', () => {
  it('still gives each endpoint about its share of keys', () => {
    const a = ep('10.0.146.35');
    const b = ep('10.0.214.241');
    expect(murmur3(a.id)).toBe(murmur3(b.id)); // the premise: a real collision of the default hash
    const list = [a, b, ep('10.9.0.1'), ep('10.9.0.2')];
    const picker = ringHash({ random: mulberry32(1) });
    picker.update(list);
    const counts = new Map<unknown, number>();
    const n = 8000;
    for (let i = 0; i < n; i++) {
      const e = picker.pick({ key: `user-${i}`, tried: [] });
      counts.set(e, (counts.get(e) ?? 0) + 1);
    }
    for (const e of list) expect((counts.get(e) ?? 0) / n, e.id).toBeGreaterThan(0.15);
  });
});
