// What broke: with panicThreshold 0 and every endpoint ejected, ejected endpoints took every call and no panic was reported.
// README "Endpoint health": an ejected endpoint is one "no picker sees", except in panic, which
// starts "when fewer than `panicThreshold` % of the endpoints take calls"; `panicThreshold` is
// 0–100. With 0, fewer than 0 % never happens: no panic (Envoy: `healthy_panic_threshold: 0`
// disables panic mode, and with every host unhealthy a request gets "no healthy upstream").
// Defect: with panicThreshold 0 and every endpoint ejected, the candidates fall back to all of
// them (candidates.ts, "with none admitted otherwise"), so the ejected endpoints take every call
// while stats().panic is false and no `panic` event was emitted.
import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, expect, it } from 'vitest';
import { createClient, roundRobin, type Client, type Endpoint } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

const refused = async (e: Endpoint): Promise<string> => {
  throw Object.assign(new Error(`refused by ${e.host}`), { code: 'ECONNREFUSED' });
};

it('with panicThreshold 0 an ejected endpoint gets no call before its ejection is over (or panic is reported)', async () => {
  const clock = new FakeClock();
  const client = createClient({
    name: 'svc', clock, discovery: ['10.0.0.1:80'], picker: roundRobin({ random: () => 0 }),
    retry: false, health: { breaker: () => new ConsecutiveBreaker(2), panicThreshold: 0 },
  });
  clients.push(client);
  const panics: boolean[] = [];
  client.on('panic', (e) => panics.push(e.active));
  for (let i = 0; i < 2; i++) await client.execute(refused).catch(() => {});
  expect(client.stats().endpoints[0]!.health!.status).toBe('ejected');
  // 10 s into its 30 s ejection: does a call still reach it?
  await clock.advance(10_000);
  let reached = 0;
  for (let i = 0; i < 5; i++) await client.execute(async (e) => { reached++; return refused(e); }).catch(() => {});
  // Either it takes no call (panic disabled, as with Envoy's 0), or the client admits to panic.
  const panic = client.stats().panic && panics.includes(true);
  expect(reached === 0 || panic, `ejected endpoint reached by ${reached} of 5 calls; stats().panic ${client.stats().panic}; panic events ${JSON.stringify(panics)}`).toBe(true);
});
