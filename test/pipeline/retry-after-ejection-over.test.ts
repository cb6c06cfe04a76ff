// An ejection that ended while an attempt ran (ejections end as the next attempt starts) was not
// seen by the Retry-After wait: that endpoint still counted as ejected, so the call waited the
// full Retry-After, or ended with the 503, instead of retrying on it at once.
import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, expect, it } from 'vitest';
import { createClient, roundRobin, type Client } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

// Defect: when a 503 with Retry-After arrives, the retry stage asks health when another endpoint
// can take the call (`otherFreeAt`). That function skips every endpoint whose status is still
// 'ejected', also one whose ejection is already over but was not yet moved to probing (the
// change is applied lazily, at the next attempt's start). So a retry that could go at once to
// the endpoint just back from its ejection (it is probed by real calls: README, "Endpoint
// health") waits the full Retry-After instead — and when that is past the deadline, the call
// ends at once with the 503. README, "What is retried": the retry "goes at once (after the
// usual backoff) to another endpoint; when no other endpoint can take it, the call waits".

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

it('a Retry-After retry goes at once to an endpoint whose ejection ended during the attempt', async () => {
  const clock = new FakeClock();
  let aDown = true;
  let bBusy = false;
  const fetch = async (input: string | URL | Request): Promise<Response> => {
    const host = new URL(String(input)).hostname;
    if (host === '10.0.0.1' && aDown) throw new TypeError('fetch failed', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) });
    if (host === '10.0.0.2' && bBusy) {
      await new Promise<void>((r) => clock.setTimer(r, 200));
      return new Response('busy', { status: 503, headers: { 'retry-after': '10' } });
    }
    return new Response(host);
  };
  const client = createClient({
    name: 'svc', clock, fetch: fetch as typeof globalThis.fetch, picker: roundRobin({ random: () => 0 }),
    discovery: ['10.0.0.1:80', '10.0.0.2:80'],
    timeout: { attempt: 1_000, total: 5_000 },
    retry: { attempts: 3, backoff: { base: 0, cap: 0 }, budget: false },
    health: { breaker: () => new ConsecutiveBreaker(1), ejectionTime: 1_000 },
  });
  clients.push(client);
  expect((await client.fetch('/x')).status).toBe(200);
  expect(client.stats().endpoints[0]!.health).toMatchObject({ status: 'ejected', nextProbeIn: 1_000 });
  // A is back (its ejection ends at t = 1000); B, called at t = 900, answers at t = 1100 with a pause.
  aDown = false;
  bBusy = true;
  await clock.advance(900);
  const pending = client.fetch('/x');
  await clock.advance(300);
  const res = await pending;
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('10.0.0.1');
});
