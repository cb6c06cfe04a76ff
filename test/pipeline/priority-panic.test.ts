// Panic was worked out over the whole pool, priorities and zones together: a fully healthy
// priority 0 next to a dead standby priority 1 (4 of 9 endpoints taking calls) put the client in
// panic, and calls went to every endpoint, the dead standby ones included. As in Envoy, the panic
// threshold is now disregarded while the levels taking calls cover the whole load (normalized
// total health of 100 %: priority 0 at 4/4 × 1.4).
import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, expect, it } from 'vitest';
import { createClient, roundRobin, type Client, type Endpoint, type EndpointInit } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

// Defect: panic is computed over the whole pool, ignoring priority levels. A fully healthy
// priority 0 next to a dead standby priority 1 sends the client into panic, and calls are then
// spread over every endpoint — the dead, ejected standby included.
//
// Envoy (load balancing → panic threshold): "if normalized total health across all priority
// levels is 100%, Envoy disregards panic thresholds and continues to distribute traffic load
// across priorities"; priority 0 at 4/4 healthy has health min(100, 1.4 × 100) = 100 %, so no
// panic, and all calls stay on priority 0. README ("Priority and zone failover"): calls stay on
// priority 0 while its healthy endpoints × 1.4 cover the load.

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

it('a dead standby priority does not put a fully healthy priority 0 in panic', async () => {
  let push!: (set: EndpointInit[]) => void;
  const clock = new FakeClock();
  const client = createClient({
    name: 'svc', clock, picker: roundRobin({ random: () => 0 }),
    discovery: { watch(update) { push = update as (set: EndpointInit[]) => void; return () => {}; } },
    retry: { attempts: 1, budget: false },
    health: { breaker: () => new ConsecutiveBreaker(1), maxEjectionPercent: 100 },
  });
  clients.push(client);
  const standby: EndpointInit[] = [1, 2, 3, 4, 5].map((i) => ({ host: `10.0.1.${i}`, port: 80, priority: 1 }));
  const primary: EndpointInit[] = [1, 2, 3, 4].map((i) => ({ host: `10.0.0.${i}`, port: 80, priority: 0 }));
  const fn = async (e: Endpoint): Promise<string> => {
    if (e.host.startsWith('10.0.1.')) throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    return e.host;
  };
  // The standby site goes down and every one of its endpoints is ejected.
  push(standby);
  for (let i = 0; i < 20; i++) await client.execute(fn).catch(() => {});
  expect(client.stats().endpoints.every((e) => e.health?.status === 'ejected')).toBe(true);
  // The primary site comes up, fully healthy.
  push([...primary, ...standby]);
  const hosts: string[] = [];
  for (let i = 0; i < 40; i++) hosts.push(await client.execute(fn).catch(() => 'failed'));
  expect(client.stats().panic).toBe(false);
  expect(hosts.filter((h) => !h.startsWith('10.0.0.'))).toEqual([]);
});
