// What broke: a probing endpoint counted as ejected for maxEjectionPercent, so another failing endpoint could not be ejected.
// README "Endpoint health": "at most `maxEjectionPercent` of the endpoints (at least one) are
// ejected at once"; an endpoint whose ejection is over is "probing: real calls reach it again"
// (Envoy un-ejects a host when its ejection time is over, and max_ejection_percent counts
// ejected hosts only). Defect: health/ejection.ts atEjectionLimit counts every endpoint whose
// status is not 'healthy', probing ones included, so while one endpoint's probe is in flight (a
// slow probe can take up to the attempt timeout) no other endpoint can be ejected, however
// often it fails: with 10 endpoints and the default 10 %, a dead endpoint stays in rotation.
import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, expect, it } from 'vitest';
import { createClient, roundRobin, type Client, type Endpoint } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => { while (clients.length > 0) await clients.pop()!.close(); });

const TEN = Array.from({ length: 10 }, (_, i) => `10.0.0.${i + 1}:80`);

it('an endpoint failing while another one is probing is ejected (the probing one is not ejected)', async () => {
  const clock = new FakeClock();
  const client = createClient({
    name: 'svc', clock, discovery: TEN, picker: roundRobin({ random: () => 0 }), retry: false,
    timeout: { attempt: 60_000, total: 60_000 },
    health: { breaker: () => new ConsecutiveBreaker(1), ejectionTime: 1_000 },
  });
  clients.push(client);
  let phase: 'a-down' | 'a-slow' = 'a-down';
  const fn = async (e: Endpoint): Promise<string> => {
    if (e.host === '10.0.0.1') {
      if (phase === 'a-down') throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
      return new Promise<string>(() => {}); // a slow probe: still running
    }
    if (e.host === '10.0.0.2' && phase === 'a-slow') throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    return e.host;
  };
  for (let i = 0; i < 10; i++) await client.execute(fn).catch(() => {});
  expect(client.stats().endpoints[0]!.health!.status).toBe('ejected');
  await clock.advance(1_000);
  phase = 'a-slow';
  const pending: Promise<unknown>[] = [];
  // Calls until 10.0.0.1's probe has started (bounded).
  for (let i = 0; i < 20 && client.stats().endpoints[0]!.health!.status !== 'probing'; i++) await client.execute(fn).catch(() => {});
  for (let i = 0; i < 20; i++) {
    const p = client.execute(fn).catch(() => {});
    pending.push(p);
    await clock.advance(0);
  }
  const s = client.stats().endpoints;
  expect(s[0]!.health!.status).toBe('probing');
  expect(s[0]!.inflight).toBe(1);
  // 10.0.0.2 refused every call that reached it: with nothing ejected now it should be.
  expect(s[1]!.failures).toBeGreaterThan(0);
  expect(s[1]!.health!.status).toBe('ejected');
});
