import { describe, expect, it } from 'vitest';
import { LiveEndpoint } from '../../src/endpoints/endpoint.js';
import { parseEndpoint } from '../../src/endpoints/parse.js';
import { Subsetter } from '../../src/health/subset.js';
import { createClient } from '../../src/index.js';

const fleet = (n: number): LiveEndpoint[] =>
  Array.from({ length: n }, (_, i) => new LiveEndpoint(parseEndpoint({ host: `10.0.${i >> 8}.${i & 255}`, port: 80 }), 10_000, 0));

describe('deterministic subsetting', () => {
  it('100 clients over 30 endpoints: every endpoint serves within ±20 % of the mean number of clients', () => {
    const all = fleet(30);
    const load = new Map<LiveEndpoint, number>();
    for (let c = 0; c < 100; c++) {
      const subset = new Subsetter({ size: 3, clientId: c }).subset(all);
      expect(subset).toHaveLength(3);
      for (const e of subset) load.set(e, (load.get(e) ?? 0) + 1);
    }
    const mean = (100 * 3) / 30;
    for (const e of all) {
      expect(load.get(e) ?? 0).toBeGreaterThanOrEqual(mean * 0.8);
      expect(load.get(e) ?? 0).toBeLessThanOrEqual(mean * 1.2);
    }
  });

  it('removing one endpoint reassigns only the clients that used it', () => {
    const all = fleet(30);
    const clients = Array.from({ length: 100 }, (_, c) => new Subsetter({ size: 3, clientId: c }));
    const before = clients.map((s) => s.subset(all));
    const gone = all[7]!;
    const after = clients.map((s) => s.subset(all.filter((e) => e !== gone)));
    for (let c = 0; c < 100; c++) {
      if (before[c]!.includes(gone)) {
        expect(after[c]).toHaveLength(3);
        expect(after[c]).not.toContain(gone);
        // It keeps the two it still has.
        for (const e of before[c]!) if (e !== gone) expect(after[c]).toContain(e);
      } else {
        expect(after[c]).toEqual(before[c]);
      }
    }
  });

  it('a client with subset: calls go to its endpoints only', async () => {
    const hosts = Array.from({ length: 12 }, (_, i) => `10.1.0.${i + 1}:80`);
    const client = createClient({ name: 'svc', discovery: hosts, subset: { size: 4, clientId: 5 } });
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(await client.execute((e) => e.host));
    expect(seen.size).toBe(4);
    await client.close();
  });
});
