// What broke (found by the third diff review): with slow start, a retry whose only untried
// endpoint is the ramping one passed its turns again and again (up to 64), each moving its
// schedule a period while no other endpoint's moved: after the ramp it was skipped for that many
// turns of the others. A retry that comes back to the endpoint it passed over now takes it.
import { afterEach, expect, it } from 'vitest';
import { createClient, weightedRoundRobin, type Client, type EndpointInit } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => { while (clients.length > 0) await clients.pop()!.close(); });

it('one retry onto a ramping endpoint (minWeightPercent 0) does not starve it after the ramp', async () => {
  const clock = new FakeClock();
  let push!: (s: EndpointInit[]) => void;
  const old: EndpointInit[] = [{ host: 'a', port: 1, weight: 1 }];
  const client = createClient({
    name: 'svc', picker: weightedRoundRobin(), clock,
    retry: { attempts: 2, backoff: { base: 1, cap: 1 } },
    discovery: { watch: (u: (s: EndpointInit[]) => void) => { push = u; u(old); return () => {}; } },
    health: { slowStart: { window: 1_000, minWeightPercent: 0 } },
  });
  clients.push(client);
  const ok = (e: { host: string }): string => e.host;
  for (let i = 0; i < 3; i++) await client.execute(ok);
  push([...old, { host: 'n', port: 1, weight: 1 }]);
  // At the ramp's very start (share 0): a call fails on 'a' and is retried on 'n', the only untried one.
  const hosts: string[] = [];
  const call = client.execute((e: { host: string }) => {
    hosts.push(e.host);
    if (e.host === 'a') throw new Error('a failed');
    return e.host;
  });
  await clock.advance(10);
  expect(await call).toBe('n');
  expect(hosts).toEqual(['a', 'n']);
  // The ramp ends.
  clock.stall(2_000);
  let hits = 0;
  for (let i = 0; i < 40; i++) if ((await client.execute(ok)) === 'n') hits++;
  // Two equal endpoints past the ramp: ≈ 20 of 40. Now 0 (its next turn is ~64 periods away).
  expect(hits).toBeGreaterThanOrEqual(15);
});
