// A 503 Retry-After retry counted as "another endpoint can take the call" a probing endpoint
// whose probe slot was taken (health.probes: 1), which the picker's candidates leave out. The
// retry then did not wait: with no endpoint admitted the picker got every endpoint, and the retry
// went to the busy one as a second probe at once. The wait now asks the same question the
// candidates answer (health/candidates.ts otherFreeAt): here it waits the 5 s.
import { afterEach, describe, expect, it } from 'vitest';
import { ConsecutiveBreaker } from 'cockatiel';
import { createClient, type Client, type EndpointState, type Picker, type PickRequest } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => { while (clients.length > 0) await clients.pop()!.close(); });

/** Prefers b when it is a candidate and untried, else the first untried candidate. */
function preferB(): Picker {
  let list: readonly EndpointState[] = [];
  return {
    name: 'prefer-b',
    update(endpoints) { list = endpoints; },
    pick(req: PickRequest) {
      return list.find((e) => e.host === 'b' && !req.tried.includes(e)) ?? list.find((e) => !req.tried.includes(e)) ?? list[0];
    },
  };
}

describe('Retry-After with the only other endpoint busy probing', () => {
  it('waits the Retry-After and sends no second probe to b', async () => {
    const clock = new FakeClock();
    let phase = 0;
    const inflightB: number[] = [];
    let bNow = 0;
    const fetchFn = (async (url: string) => {
      const host = new URL(url).hostname;
      if (host === 'b') {
        if (phase === 0) return new Response(null, { status: 500 });
        bNow++; inflightB.push(bNow);
        return new Promise<Response>(() => {}); // the probe hangs
      }
      return new Response(null, { status: 503, headers: { 'retry-after': '5' } });
    }) as unknown as typeof fetch;
    const client = createClient({
      name: 'svc', discovery: ['http://a:1', 'http://b:1'], picker: preferB(), clock, fetch: fetchFn,
      timeout: { attempt: 20_000, total: 30_000 },
      health: { breaker: () => new ConsecutiveBreaker(1), ejectionTime: 100, maxEjectionPercent: 50 },
    });
    clients.push(client);
    const retries: number[] = [];
    client.on('retry', (e) => retries.push(e.delay));
    const health: string[] = [];
    client.on('health', (e) => health.push(`${e.endpoint.host} ${e.status}`));
    // 1: b answers 500 and is ejected (call ends with the 500: not retried).
    const r1 = await client.fetch('/one');
    await clock.advance(1);
    expect(r1.status).toBe(500);
    expect(health).toEqual(['b ejected']);
    phase = 1;
    await clock.advance(200);
    // 2: b's ejection is over: this call probes it, and the probe hangs.
    const p2 = client.fetch('/two'); p2.catch(() => {});
    await clock.advance(1);
    expect(health).toEqual(['b ejected', 'b probing']);
    expect(inflightB).toEqual([1]);
    // 3: goes to a, which answers 503 Retry-After: 5.
    const p3 = client.fetch('/three'); p3.catch(() => {});
    await clock.advance(1_000);
    // The retry waits a's 5 s pause (no other endpoint can take the call) ...
    expect(retries.length).toBe(1);
    expect(retries[0]).toBeGreaterThanOrEqual(5_000);
    // ... and b, probing with health.probes: 1, is never sent a second call at the same time.
    expect(inflightB).toEqual([1]);
  });
});
