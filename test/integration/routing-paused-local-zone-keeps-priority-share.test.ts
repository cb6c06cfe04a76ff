// What broke (found by the diff review): the fix that counts an endpoint pausing at its own request
// (Retry-After) in its priority's health missed one case: a paused endpoint alone in its zone
// (the local one, with `localZone`) still moved about 30 % of the calls to the next priority, its
// zone having no candidate. A priority's health now counts its endpoints that take calls as long
// as any of them is a candidate; the zone without one just gets no part of the priority's share.
import { afterEach, expect, it } from 'vitest';
import { createClient, roundRobin, type Client } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => { while (clients.length > 0) await clients.pop()!.close(); });

it('priority 0 keeps its share while its only local endpoint pauses and its other zone takes calls', async () => {
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
  const client = createClient({
    name: 'svc', clock, fetch: fetch as typeof globalThis.fetch, picker: roundRobin(), localZone: 'a',
    discovery: [
      { host: '10.0.0.1', port: 80, priority: 0, zone: 'a' }, { host: '10.0.0.2', port: 80, priority: 0, zone: 'b' },
      { host: '10.0.1.1', port: 80, priority: 1, zone: 'a' }, { host: '10.0.1.2', port: 80, priority: 1, zone: 'b' },
    ],
  });
  clients.push(client);
  // All healthy: priority 0's local zone (10.0.0.1 alone) takes every call; its first answer pauses it.
  const first = client.fetch('/x');
  await clock.advance(1_000);
  await first;
  expect(paused).toBe(true);
  const stats = client.stats();
  expect(stats.endpoints[0]!.health).toMatchObject({ status: 'healthy', ejections: 0 });
  expect(stats.endpoints[0]!.health!.pausedFor).toBeGreaterThan(0);
  expect(stats.panic).toBe(false);

  const counts = new Map<string, number>();
  for (let i = 0; i < 1_000; i++) {
    const host = await (await client.fetch('/x')).text();
    counts.set(host, (counts.get(host) ?? 0) + 1);
  }
  // Priority 0 is fully healthy (one endpoint paused, none ejected): its other zone takes its calls.
  // Now ≈ 300 of 1 000 go to the standby priority.
  expect((counts.get('10.0.1.1') ?? 0) + (counts.get('10.0.1.2') ?? 0)).toBe(0);
  expect(counts.get('10.0.0.2')).toBe(1_000);
});
