import { ConsecutiveBreaker } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import type { AttemptEvent, Endpoint } from '../../src/index.js';
import { healthClients } from '../helpers/health-client.js';
import { never, untilAborted } from '../helpers/fake-clock.js';

// What broke: a probe (an attempt on an endpoint whose ejection is over) that a hedge of its
// call beat ended `hedge lost`, which says nothing about the endpoint: its probe slot went back
// and it stayed `probing`. An endpoint that hangs was then probed at the rate of hedged calls,
// never ejected again (README: "a failure ejects it again, for longer"): on real servers, 43 of
// 96 calls in 3 s reached a hung endpoint, each paying the hedge delay. A probe that opened its
// round and lost to a hedge had the hedge delay as a head start and still lost: it counts as a
// failed probe. A probe that was itself the hedge, beaten by the attempt it was sent beside,
// stays unjudged. Fake clock.

const setup = healthClients();

describe('a probe that loses its round to a hedge', () => {
  it('as the round opener: a failed probe, ejected again for longer', async () => {
    const { clock, client, events } = setup({
      hedge: { delay: 30, maxExtraLoad: 1 }, retry: { attempts: 2, backoff: { base: 0, cap: 0 }, budget: false },
      health: { breaker: () => new ConsecutiveBreaker(1), ejectionTime: 1_000, maxEjectionPercent: 100 },
    });
    let hung = false;
    const fn = (e: Endpoint, { signal }: { signal: AbortSignal }): Promise<string> => {
      if (e.host !== '10.0.0.1') return Promise.resolve(e.host);
      if (!hung) return Promise.reject(new Error('503'));
      return untilAborted(signal);
    };
    // 10.0.0.1 fails: ejected for 1 s. Then it hangs.
    for (let i = 0; i < 3; i++) await client.execute(fn, { hedge: false });
    expect(events.map((e) => e.status)).toEqual(['ejected']);
    hung = true;
    await clock.advance(1_000);
    // roundRobin: the next call that opens on 10.0.0.1 probes it; the hedge 30 ms later wins.
    const served: string[] = [];
    for (let i = 0; i < 3; i++) {
      const call = client.execute(fn);
      await clock.advance(30);
      served.push(await call);
    }
    expect(served).not.toContain('10.0.0.1');
    expect(events.map((e) => `${e.status} ${e.reason}`)).toEqual([
      'ejected breaker opened (Error)', 'probing ejection over', 'ejected probe failed (a hedge answered first)',
    ]);
    // Ejected again, for longer (2 × ejectionTime).
    expect(events[2]!.ejectedFor).toBe(2_000);
  });

  it('as the hedge itself, beaten by the attempt it was sent beside: unjudged, still probing', async () => {
    const { clock, client, events } = setup({
      hedge: { delay: 30, maxExtraLoad: 1 }, retry: { attempts: 2, backoff: { base: 0, cap: 0 }, budget: false },
      health: { breaker: () => new ConsecutiveBreaker(1), ejectionTime: 1_000, maxEjectionPercent: 100 },
    });
    const lost: AttemptEvent[] = [];
    client.on('attempt', (e) => { if (e.endpoint.host === '10.0.0.1' && e.hedge && e.reason === 'hedge lost') lost.push(e); });
    // 10.0.0.1 hangs once it is back; the others answer 40 ms after they are called.
    const fn = (e: Endpoint): Promise<string> => {
      if (e.host === '10.0.0.1') return never();
      return new Promise((resolve) => { clock.setTimer(() => resolve(e.host), 40); });
    };
    const eject = (e: Endpoint): Promise<string> => (e.host === '10.0.0.1' ? Promise.reject(new Error('503')) : Promise.resolve(e.host));
    while (events.length === 0) await client.execute(eject, { hedge: false }).catch(() => {});
    expect(events.map((e) => e.status)).toEqual(['ejected']);
    await clock.advance(1_000);
    for (let i = 0; i < 6 && lost.length === 0; i++) {
      const call = client.execute(fn);
      // Openers on 10.0.0.1 would be judged: keep to rounds whose opener is elsewhere.
      await clock.advance(70);
      await call;
    }
    expect(lost.length).toBeGreaterThan(0);
    expect(events.filter((e) => e.status === 'ejected')).toHaveLength(1);
    expect(client.stats().endpoints[0]!.health!.status).toBe('probing');
  });
});
