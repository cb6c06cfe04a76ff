// What broke: a priority 0 with every endpoint out put the whole client in panic: most calls went to dead primaries.
// README "Endpoint health" / "Priority and zone failover" anchor priorities and panic on Envoy.
// Envoy (load balancing → panic threshold): when normalized total health is below 100 %, "it
// continues to distribute traffic load across priorities ... but if a given priority level's
// availability is below the panic threshold, traffic will go to all hosts in that priority
// level". A priority with no healthy host gets 0 % of the load; a priority that is itself above
// the threshold is not in panic.
// Defect: bulwark's panic is global. A dead primary (priority 0: 3 of 3 ejected) next to a mostly
// healthy standby (priority 1: 2 of 3 healthy) gives 2/6 < 50 % taking calls and normalized health
// 0 + min(1, 2/3 × 1.4) = 93 % < 100 %, so the whole client panics and spreads calls over all six
// endpoints: two thirds of the calls go to the four ejected, dead endpoints. Envoy sends every call
// to the two healthy standby endpoints.
import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, expect, it } from 'vitest';
import { createClient, roundRobin, type Client, type Endpoint, type EndpointInit } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

const primary: EndpointInit[] = [1, 2, 3].map((i) => ({ host: `10.0.0.${i}`, port: 80, priority: 0 }));
const standby: EndpointInit[] = [1, 2, 3].map((i) => ({ host: `10.0.1.${i}`, port: 80, priority: 1 }));
const dead = new Set(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.1.3']);

it('a dead priority 0 gets no calls while priority 1 is above the panic threshold (Envoy per-priority panic)', async () => {
  const clock = new FakeClock();
  const client = createClient({
    name: 'svc', clock, discovery: [...primary, ...standby], picker: roundRobin({ random: () => 0 }),
    retry: false, health: { breaker: () => new ConsecutiveBreaker(1), maxEjectionPercent: 100 },
  });
  clients.push(client);
  const fn = async (e: Endpoint): Promise<string> => {
    if (dead.has(e.host)) throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    return e.host;
  };
  // Until every dead endpoint has been ejected (a bounded number of calls).
  for (let i = 0; i < 200; i++) {
    await client.execute(fn).catch(() => {});
    const s = client.stats().endpoints;
    if (s.filter((e) => e.health?.status === 'ejected').length === 4) break;
  }
  const ejected = client.stats().endpoints.filter((e) => e.health?.status === 'ejected').map((e) => new URL(e.url).hostname).sort();
  expect(ejected).toEqual([...dead].sort());
  // Within the ejection time: where do calls go?
  const hosts: string[] = [];
  for (let i = 0; i < 60; i++) hosts.push(await client.execute(fn).catch(() => 'failed'));
  const failed = hosts.filter((h) => h === 'failed').length;
  expect(failed, `${failed} of 60 calls went to ejected endpoints (stats().panic ${client.stats().panic})`).toBe(0);
});
