// What broke (README, "Priority and zone failover"): "calls stay on priority 0 while its
// healthy endpoints × health.overprovisioning (1.4) cover the load, and spill to priority 1 …
// in proportion as it degrades, as Envoy does: with half of priority 0 ejected, it keeps 70 % of
// the calls and priority 1 takes 30 % … `localZone` does the same within each priority for the
// client's own zone". So a priority's share depends on that priority's health alone; localZone
// only decides where, inside a priority, its share goes. With localZone set, the routing code
// treats (priority, zone) pairs as independent levels (src/health/routing.ts levelOf/route), so a
// priority 0 with half its endpoints ejected keeps 100 % of the calls as soon as one of its zones
// is fully healthy, and priority 1 gets nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, roundRobin, type Client, type EndpointInit } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

const discovery: EndpointInit[] = [
  { host: '10.0.0.1', port: 80, priority: 0, zone: 'a' }, { host: '10.0.0.2', port: 80, priority: 0, zone: 'a' },
  { host: '10.0.0.3', port: 80, priority: 0, zone: 'b' }, { host: '10.0.0.4', port: 80, priority: 0, zone: 'b' },
  { host: '10.0.1.1', port: 80, priority: 1, zone: 'a' }, { host: '10.0.1.2', port: 80, priority: 1, zone: 'a' },
];

/** Share of `n` calls that land on priority 1, after the endpoints in `dead` were ejected. */
async function priority1Share(localZone: string | undefined, dead: ReadonlySet<string>): Promise<number> {
  const client = createClient({
    name: 'svc', discovery, clock: new FakeClock(), retry: false, picker: roundRobin(),
    ...(localZone === undefined ? {} : { localZone }),
    // Active checks eject the dead endpoints whether or not calls reach them (with localZone,
    // a healthy local zone keeps calls from the other zone).
    health: { maxEjectionPercent: 100, ejectionTime: 1e9, checks: { check: (e) => !dead.has(e.host), interval: 10, jitter: 0, unhealthyThreshold: 1 } },
  });
  clients.push(client);
  const fn = (e: { host: string }): string => {
    if (dead.has(e.host)) throw new Error('down');
    return e.host;
  };
  // Every endpoint in `dead` fails its first check and is ejected (checks run on real timers).
  for (let i = 0; i < 200 && client.stats().endpoints.filter((e) => e.health?.status === 'ejected').length < dead.size; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(client.stats().endpoints.filter((e) => e.health?.status === 'ejected').map((e) => e.id).sort())
    .toEqual([...dead].map((h) => `http://${h}:80`).sort());
  let p1 = 0;
  const n = 4_000;
  for (let i = 0; i < n; i++) if ((await client.execute(fn)).startsWith('10.0.1.')) p1++;
  return p1 / n;
}

describe('priority failover with localZone: a priority keeps the share its health gives it', () => {
  it('without localZone (baseline): half of priority 0 ejected, priority 1 takes ≈ 30 %', async () => {
    const share = await priority1Share(undefined, new Set(['10.0.0.3', '10.0.0.4']));
    expect(share).toBeGreaterThan(0.26);
    expect(share).toBeLessThan(0.34);
  });

  it("with localZone 'a': half of priority 0 (its zone b) ejected, priority 1 still takes ≈ 30 %", async () => {
    const share = await priority1Share('a', new Set(['10.0.0.3', '10.0.0.4']));
    expect(share).toBeGreaterThan(0.26);
    expect(share).toBeLessThan(0.34);
  });

  it("with localZone 'a': half of priority 0 (its local zone a) ejected, priority 1 still takes ≈ 30 %", async () => {
    const share = await priority1Share('a', new Set(['10.0.0.1', '10.0.0.2']));
    expect(share).toBeGreaterThan(0.26);
    expect(share).toBeLessThan(0.34);
  });
});
