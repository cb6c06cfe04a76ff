// What broke: subsetting shuffled priorities together: some clients got no priority-0 endpoint.
// README "Priority and zone failover": "calls stay on priority 0 while its healthy endpoints ×
// 1.4 cover the load, and spill to priority 1 ... as it degrades"; README "Subsetting": each
// client uses `size` endpoints. Defect: the subset is drawn over all endpoints whatever their
// priority (health/subset.ts shuffles every endpoint together), so some clients get a subset with
// no priority-0 endpoint at all and send every call to the standby priority while the whole
// primary is healthy (with a standby site, all of that client's traffic goes cross-site). Each
// priority (and the local zone) needs its own subset, or priority 0 must be represented.
import { afterEach, expect, it } from 'vitest';
import { LiveEndpoint } from '../../src/endpoints/endpoint.js';
import { parseEndpoint } from '../../src/endpoints/parse.js';
import { Subsetter } from '../../src/health/subset.js';
import { createClient, roundRobin, type Client, type EndpointInit } from '../../src/index.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

const primary: EndpointInit[] = [1, 2, 3].map((i) => ({ host: `10.0.0.${i}`, port: 80, priority: 0 }));
const standby: EndpointInit[] = [1, 2, 3].map((i) => ({ host: `10.0.1.${i}`, port: 80, priority: 1 }));

it('with subsetting, a client whose priority 0 is fully healthy sends no call to the standby priority', async () => {
  const standbyCalls: number[] = [];
  // Clients 0..59 of a fleet (20 rounds of 2): every one of them should keep its calls on priority 0.
  for (let clientId = 0; clientId < 60; clientId++) {
    const client = createClient({
      name: 'svc', discovery: [...primary, ...standby], picker: roundRobin({ random: () => 0 }),
      retry: false, subset: { size: 3, clientId },
    });
    clients.push(client);
    let n = 0;
    for (let i = 0; i < 6; i++) if ((await client.execute((e) => e.host)).startsWith('10.0.1.')) n++;
    if (n > 0) standbyCalls.push(clientId);
    await clients.pop()!.close();
  }
  expect(standbyCalls, `clients sending calls to priority 1 with priority 0 all healthy: ${standbyCalls.join(', ')}`).toEqual([]);
});

// The per-priority subsets keep the properties of the plain scheme (test/unit/subset*.test.ts):
// deterministic, balanced within each priority, gentle on removal.
const fleet = (n: number, priority: number): LiveEndpoint[] =>
  Array.from({ length: n }, (_, i) => new LiveEndpoint(parseEndpoint({ host: `10.${priority}.0.${i + 1}`, port: 80, priority }), 10_000, 0));

it('per-priority subsets: every client gets both priorities in proportion, balanced, deterministic and gentle on removal', () => {
  const all = [...fleet(20, 0), ...fleet(10, 1)];
  const clients = Array.from({ length: 100 }, (_, c) => new Subsetter({ size: 3, clientId: c }));
  const before = clients.map((s) => s.subset(all));
  const load = new Map<LiveEndpoint, number>();
  for (let c = 0; c < 100; c++) {
    const subset = before[c]!;
    expect(subset.filter((e) => e.priority === 0)).toHaveLength(2);
    expect(subset.filter((e) => e.priority === 1)).toHaveLength(1);
    expect(new Subsetter({ size: 3, clientId: c }).subset(all)).toEqual(subset);
    for (const e of subset) load.set(e, (load.get(e) ?? 0) + 1);
  }
  // 100 clients × 2 over 20 primaries, × 1 over 10 standbys: 10 each, within ±20 %.
  for (const e of all) {
    expect(load.get(e) ?? 0).toBeGreaterThanOrEqual(8);
    expect(load.get(e) ?? 0).toBeLessThanOrEqual(12);
  }
  const gone = all[7]!;
  const after = clients.map((s) => s.subset(all.filter((e) => e !== gone)));
  for (let c = 0; c < 100; c++) {
    if (before[c]!.includes(gone)) {
      expect(after[c]).toHaveLength(3);
      expect(after[c]).not.toContain(gone);
      for (const e of before[c]!) if (e !== gone) expect(after[c]).toContain(e);
    } else {
      expect(after[c]).toEqual(before[c]);
    }
  }
});

it('more priorities than size: one endpoint of each', () => {
  const all = [...fleet(5, 0), ...fleet(5, 1), ...fleet(5, 2)];
  for (let c = 0; c < 10; c++) {
    const subset = new Subsetter({ size: 2, clientId: c }).subset(all);
    expect(subset.map((e) => e.priority).sort()).toEqual([0, 1, 2]);
  }
});
