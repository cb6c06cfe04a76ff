// What broke: a probing endpoint whose probe fails is ejected again even when the max-ejection guard is already full, so more than maxEjectionPercent of the endpoints end up ejected at once.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, roundRobin, type Client, type Endpoint } from '../../src/index.js';
import { deferred, FakeClock } from '../helpers/fake-clock.js';
// README "Endpoint health": at most `maxEjectionPercent` of the endpoints are ejected at once by
// what real calls showed; a probe is a real call (Envoy judges an un-ejected host against the limit too).

const TEN = Array.from({ length: 10 }, (_, i) => `tcp://10.0.0.${i + 1}:80`);
const clients: Client[] = [];
afterEach(async () => { while (clients.length > 0) await clients.pop()!.close(); });

const refused = (): Error => Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });

describe('max-ejection guard (maxEjectionPercent 10, ten endpoints: at most one ejected)', () => {
  it('a failed probe does not take a second endpoint out while another is ejected', async () => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'svc', discovery: TEN, picker: roundRobin({ random: () => 0 }), clock,
      retry: { attempts: 3, backoff: { base: 0, cap: 0 }, budget: false },
      health: { maxEjectionPercent: 10 },
    });
    clients.push(client);
    const ejected: string[] = [];
    const healthy: { host: string; reason: string }[] = [];
    client.on('health', (e) => {
      if (e.status === 'ejected') ejected.push(e.endpoint.host);
      if (e.status === 'healthy') healthy.push({ host: e.endpoint.host, reason: e.reason });
    });

    const failing = new Set<string>(['10.0.0.1']);
    let probe: ReturnType<typeof deferred<string>> | undefined;
    let hangA = false;
    const fn = async (e: Endpoint): Promise<string> => {
      if (e.host === '10.0.0.1' && hangA) {
        hangA = false;
        probe = deferred<string>();
        return probe.promise;
      }
      if (failing.has(e.host)) throw refused();
      return e.host;
    };

    // 1. A (10.0.0.1) fails five times in a row: ejected (the one ejection the guard allows).
    for (let i = 0; i < 100 && !ejected.includes('10.0.0.1'); i++) await client.execute(fn);
    expect(ejected).toEqual(['10.0.0.1']);

    // 2. Its ejection ends; its probe goes out and hangs for now.
    await clock.advance(30_001);
    hangA = true;
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 20 && probe === undefined; i++) {
      const p = client.execute(fn);
      p.catch(() => {});
      if (probe === undefined) await p; else pending.push(p);
    }
    expect(probe).toBeDefined();
    expect(client.stats().endpoints[0]!.health!.status).toBe('probing');

    // 3. B (10.0.0.2) now fails five in a row: with A probing (not counted) it is ejected.
    failing.clear();
    failing.add('10.0.0.2');
    for (let i = 0; i < 100 && !ejected.includes('10.0.0.2'); i++) await client.execute(fn);
    expect(ejected).toEqual(['10.0.0.1', '10.0.0.2']);

    // 4. A's probe fails: the guard is full (B is ejected), so A must not be ejected as well.
    probe!.reject(refused());
    await Promise.allSettled(pending);
    const out = client.stats().endpoints.filter((e) => e.health?.status === 'ejected').map((e) => e.url);
    expect(client.stats().panic).toBe(false);
    expect(out).toEqual(['tcp://10.0.0.2:80']);
    // It comes back in (as a healthy endpoint at the limit does), with a fresh breaker.
    expect(client.stats().endpoints[0]!.health!.status).toBe('healthy');
    expect(healthy).toEqual([{ host: '10.0.0.1', reason: 'probe failed (connection refused); kept in at the max-ejection limit' }]);
  });
});
