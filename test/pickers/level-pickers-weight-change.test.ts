// What broke: a weight discovery changed in place did not reach the per-level leastRequest copies.
// Every built-in picker now keeps a copy of itself per failover level (health/pick-shares.ts).
// A level's copy is updated only when its endpoints are not the same objects as before
// (`sameEndpoints`), but discovery changes an endpoint's weight in place (LiveEndpoint.refresh,
// same object): the main picker is updated (the registry reports the change), the level copies
// are not. While priority failover spreads calls over levels, a weighted picker's level copy
// keeps splitting by the old weights (weightedRoundRobin reads weights live and is unaffected;
// leastRequest's copy, new today, caches them in its WeightedDraw). README "Endpoints": weight "is read by ... leastRequest,
// weightedRoundRobin"; discovery "hands the client the complete set" and a changed weight applies.
import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, expect, it } from 'vitest';
import { createClient, leastRequest, type Client, type Discovery, type EndpointInit, type Picker } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

const set = (w: number): EndpointInit[] => [
  { host: '10.0.0.1', port: 80, priority: 0 },
  { host: '10.0.0.2', port: 80, priority: 0 },
  { host: '10.0.1.1', port: 80, priority: 1, weight: 1 },
  { host: '10.0.1.2', port: 80, priority: 1, weight: w },
];

async function heavyShareAfterWeightChange(picker: Picker): Promise<number> {
  let push!: (e: readonly EndpointInit[]) => void;
  const discovery: Discovery = { watch(update) { push = update; update(set(1)); return () => {}; } };
  const clock = new FakeClock();
  const client = createClient({
    name: 'svc', discovery, picker, clock, retry: false,
    health: { maxEjectionPercent: 50, ejectionTime: 1e9, breaker: () => new ConsecutiveBreaker(1) },
  });
  clients.push(client);
  const fn = (e: { host: string }): string => {
    if (e.host === '10.0.0.2') throw new Error('down');
    return e.host;
  };
  // Priority 0 half out: 70 % priority 0, 30 % priority 1 (levels in use).
  for (let i = 0; i < 500 && client.stats().endpoints[1]!.health!.status !== 'ejected'; i++) await client.execute(fn).catch(() => {});
  expect(client.stats().endpoints[1]!.health!.status).toBe('ejected');
  for (let i = 0; i < 200; i++) await client.execute(fn);
  // Discovery: 10.0.1.2 is now nine times 10.0.1.1.
  push(set(9));
  expect(client.endpoints().find((e) => e.host === '10.0.1.2')!.weight).toBe(9);
  let light = 0;
  let heavy = 0;
  for (let i = 0; i < 4_000; i++) {
    const h = await client.execute(fn);
    if (h === '10.0.1.1') light++;
    if (h === '10.0.1.2') heavy++;
  }
  return heavy / (light + heavy);
}

it('leastRequest: a weight changed by discovery applies inside a failover level (9:1)', async () => {
  expect(await heavyShareAfterWeightChange(leastRequest())).toBeGreaterThan(0.8);
});
