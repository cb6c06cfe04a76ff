// On a client that made no calls after an outage, stats() showed its endpoints `ejected` (with
// `nextProbeIn: 0`) and `panic: true` for as long as it stayed idle: ejections end as the next
// attempt starts. stats() now ends the ejections and pauses whose time is over first.
import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, expect, it } from 'vitest';
import { createClient, roundRobin, type Client, type Endpoint } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

// Defect: ejections end lazily, at the next attempt's start, and `stats()` reads the stale state.
// On a client that makes no call for a while after an outage, `stats()` keeps reporting every
// endpoint as `ejected` with `nextProbeIn: 0` and `panic: true` indefinitely, long after the
// ejections ended. README ("Endpoint health"): "After its ejection time … it is probing", and
// `stats().endpoints[i].health` "shows each endpoint's status … nextProbeIn" and `stats().panic`
// shows panic; `nextProbeIn` is documented as "While ejected: ms until it is probed" — 0 with
// status 'ejected' contradicts it. A snapshot should apply the ejections that are over (as the
// attempt stage does with `refresh`) before reporting.

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

it('stats() shows an endpoint whose ejection is over as probing, and panic over', async () => {
  const clock = new FakeClock();
  const client = createClient({
    name: 'svc', clock, picker: roundRobin({ random: () => 0 }),
    discovery: ['10.0.0.1:80', '10.0.0.2:80'],
    retry: { attempts: 1, budget: false },
    health: { breaker: () => new ConsecutiveBreaker(1), maxEjectionPercent: 100, ejectionTime: 1_000 },
  });
  clients.push(client);
  const fail = async (_e: Endpoint): Promise<string> => { throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }); };
  await client.execute(fail).catch(() => {});
  await client.execute(fail).catch(() => {});
  expect(client.stats().panic).toBe(true);
  // An hour later, with no call in between: both ejections (1 s each) are long over.
  await clock.advance(3_600_000);
  const s = client.stats();
  expect(s.endpoints.map((e) => e.health?.status)).toEqual(['probing', 'probing']);
  expect(s.panic).toBe(false);
});
