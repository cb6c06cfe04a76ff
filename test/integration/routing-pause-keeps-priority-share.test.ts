// What broke (found by the routing review): one Retry-After from one of two healthy priority-0 endpoints sends ≈ 30 % of all calls to
// the standby priority (and, with localZone, ≈ 33 % to the other zone) for the pause (up to 30 s).
// README "Priority and zone failover": "calls stay on priority 0 while its healthy endpoints ×
// health.overprovisioning (1.4) cover the load"; "Endpoint health": an endpoint that sent
// Retry-After "is left alone ... without counting as ejected ... Meanwhile new calls go to the
// other endpoints while one of them can take them". stats() shows the paused endpoint `healthy`
// and `panic: false` (panic and levelsCoverLoad count it as taking calls: candidates.ts
// takesCalls), but route() computed the priority's share from the candidates, which leave paused endpoints
// (and probing ones whose probe slots are busy) out. It now counts them as the panic guard does.
import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, expect, it } from 'vitest';
import { createClient, roundRobin, type Client, type EndpointInit } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => { while (clients.length > 0) await clients.pop()!.close(); });

/** A client whose endpoint 10.0.0.1 answers its first request with 503 + Retry-After: 30, then every request with its host name. */
async function withOnePaused(discovery: EndpointInit[], localZone?: string): Promise<Client> {
  const clock = new FakeClock();
  let paused = false;
  const fetch = async (url: string | URL | Request): Promise<Response> => {
    const host = new URL(String(url)).hostname;
    if (host === '10.0.0.1' && !paused) {
      paused = true;
      return new Response('busy', { status: 503, headers: { 'retry-after': '30' } });
    }
    return new Response(host);
  };
  const client = createClient({ name: 'svc', clock, discovery, fetch: fetch as typeof globalThis.fetch, picker: roundRobin(), ...(localZone === undefined ? {} : { localZone }) });
  clients.push(client);
  // Round robin from a random start: call until 10.0.0.1 has answered its 503 (the retry goes elsewhere).
  for (let i = 0; i < 8 && !paused; i++) {
    const call = client.fetch('/x');
    await clock.advance(1_000);
    await call;
  }
  const stats = client.stats();
  expect(stats.endpoints[0]!.health).toMatchObject({ status: 'healthy', ejections: 0 });
  expect(stats.endpoints[0]!.health!.pausedFor).toBeGreaterThan(0);
  expect(stats.panic).toBe(false);
  return client;
}

async function tally(client: Client, n: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const host = await (await client.fetch('/x')).text();
    counts.set(host, (counts.get(host) ?? 0) + 1);
  }
  return counts;
}

it('priorities: while one of two healthy priority-0 endpoints pauses, priority 1 gets no call', async () => {
  const client = await withOnePaused([
    { host: '10.0.0.1', port: 80, priority: 0 }, { host: '10.0.0.2', port: 80, priority: 0 },
    { host: '10.0.1.1', port: 80, priority: 1 }, { host: '10.0.1.2', port: 80, priority: 1 },
  ]);
  const counts = await tally(client, 1_000);
  // Now ≈ 300 of 1 000 calls go to the standby priority.
  expect((counts.get('10.0.1.1') ?? 0) + (counts.get('10.0.1.2') ?? 0)).toBe(0);
  expect(counts.get('10.0.0.2')).toBe(1_000);
});

it('zones: while one of two healthy local endpoints pauses, the other zone gets no call', async () => {
  const client = await withOnePaused([
    { host: '10.0.0.1', port: 80, zone: 'a' }, { host: '10.0.0.2', port: 80, zone: 'a' },
    { host: '10.0.1.1', port: 80, zone: 'b' }, { host: '10.0.1.2', port: 80, zone: 'b' },
  ], 'a');
  const counts = await tally(client, 1_000);
  // Now ≈ 330 of 1 000 calls leave the zone.
  expect((counts.get('10.0.1.1') ?? 0) + (counts.get('10.0.1.2') ?? 0)).toBe(0);
});

it('priorities and zones: while the only local endpoint of priority 0 pauses, its other zone takes the calls, not priority 1', async () => {
  // What broke, the first fix missing it (found by the diff review): its zone had no candidate,
  // and priority 0's health counted 1 of 2: ≈ 300 of 1 000 calls went to priority 1.
  const client = await withOnePaused([
    { host: '10.0.0.1', port: 80, priority: 0, zone: 'a' }, { host: '10.0.0.2', port: 80, priority: 0, zone: 'b' },
    { host: '10.0.1.1', port: 80, priority: 1, zone: 'a' }, { host: '10.0.1.2', port: 80, priority: 1, zone: 'b' },
  ], 'a');
  const counts = await tally(client, 1_000);
  expect((counts.get('10.0.1.1') ?? 0) + (counts.get('10.0.1.2') ?? 0)).toBe(0);
  expect(counts.get('10.0.0.2')).toBe(1_000);
});

it('same cause: a probing priority-0 endpoint whose one probe is in flight moves ≈ 30 % of the calls to priority 1', async () => {
  const clock = new FakeClock();
  let failing = true;
  let release: (() => void) | undefined;
  const client = createClient({
    name: 'svc', clock, picker: roundRobin(), retry: false,
    health: { breaker: () => new ConsecutiveBreaker(1), ejectionTime: 1_000, maxEjectionPercent: 50 },
    discovery: [{ host: '10.0.0.1', port: 80, priority: 0 }, { host: '10.0.0.2', port: 80, priority: 0 }, { host: '10.0.1.1', port: 80, priority: 1 }, { host: '10.0.1.2', port: 80, priority: 1 }],
  });
  clients.push(client);
  const fn = async (e: { host: string }): Promise<string> => {
    if (e.host === '10.0.0.1') {
      if (failing) throw new Error('down');
      await new Promise<void>((r) => { release = r; });
    }
    return e.host;
  };
  for (let i = 0; i < 10 && client.stats().endpoints[0]!.health!.status !== 'ejected'; i++) await client.execute(fn).catch(() => {});
  await clock.advance(1_500);
  failing = false;
  const started: Promise<string>[] = [];
  for (let i = 0; i < 10 && release === undefined; i++) { started.push(client.execute(fn)); await clock.advance(0); }
  expect(client.stats().endpoints.map((e) => e.health?.status)).toEqual(['probing', 'healthy', 'healthy', 'healthy']);
  let standby = 0;
  for (let i = 0; i < 1_000; i++) if ((await client.execute(fn)).startsWith('10.0.1.')) standby++;
  release!();
  await Promise.all(started);
  // No endpoint is ejected; README's 70/30 split is for "half of priority 0 ejected".
  expect(standby).toBe(0);
});
