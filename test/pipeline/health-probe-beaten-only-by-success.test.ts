import { ConsecutiveBreaker } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import type { AttemptEvent, Endpoint } from '../../src/index.js';
import { healthClients } from '../helpers/health-client.js';

// What broke (found by a review of the lost-probe rule before it landed): a probe that opened its
// round counted as failed whenever its round ended while it ran, so a hedge that *failed* fast
// (a 500, a classify 'failure') got a healthy endpoint ejected again; and with `hedge.delay: 0`
// the probe, which had no head start at all, was judged as if it had one. Only a hedge's success
// after a positive delay beats a probe now; the rest leave it unjudged, as before the rule.

const setup = healthClients();
const P = '10.0.0.1';

/** Ejects P with one failure, waits out the ejection; then runs calls until one opens its round on P. */
async function probeRound(opts: { delay: number | string; pLatency: number; other: (e: Endpoint, clock: { setTimer: (f: () => void, ms: number) => unknown }) => Promise<string>; classify?: (o: { ok: boolean; error?: unknown }) => 'failure' | undefined; probes?: number; maxEjectionPercent?: number }) {
  const { clock, client, events } = setup({
    hedge: { delay: opts.delay as number, maxExtraLoad: 1 }, retry: { attempts: 3, backoff: { base: 0, cap: 0 }, budget: false },
    health: { breaker: () => new ConsecutiveBreaker(1), ejectionTime: 1_000, maxEjectionPercent: opts.maxEjectionPercent ?? 100, ...(opts.probes ? { probes: opts.probes } : {}) },
  });
  const attempts: AttemptEvent[] = [];
  client.on('attempt', (e) => attempts.push(e));
  const eject = (e: Endpoint): Promise<string> => (e.host === P ? Promise.reject(new Error('503')) : Promise.resolve(e.host));
  while (events.length === 0) await client.execute(eject, { hedge: false }).catch(() => {});
  expect(events.map((e) => e.status)).toEqual(['ejected']);
  await clock.advance(1_000);
  attempts.length = 0;
  // P healthy again: it answers after pLatency ms.
  const fn = (e: Endpoint): Promise<string> => {
    if (e.host === P) return new Promise((resolve) => { clock.setTimer(() => resolve(e.host), opts.pLatency); });
    return opts.other(e, clock);
  };
  const results: unknown[] = [];
  for (let i = 0; i < 6; i++) {
    const before = attempts.length;
    const call = client.execute(fn, opts.classify ? { classify: opts.classify as never } : {}).then((v) => v, (err: unknown) => err);
    await clock.advance(200);
    results.push(await call);
    const mine = attempts.slice(before);
    if (mine.some((a) => a.endpoint.host === P && !a.hedge)) break;
  }
  return { client, events, attempts, results };
}

describe('a probe judged by a lost hedge round', () => {
  it('a hedge that fails fast (not retried) is no answer that beats a healthy probe', async () => {
    const { events, attempts, results } = await probeRound({
      delay: 30, pLatency: 40,
      other: () => Promise.reject(new Error('fatal')),
      classify: (o) => (!o.ok && (o.error as Error).message === 'fatal' ? 'failure' : undefined),
    });
    const probe = attempts.find((a) => a.endpoint.host === P && !a.hedge && a.reason === 'hedge lost');
    expect(probe).toBeDefined();
    // The call failed with the other endpoint's error, which P (answering at 40 ms) would have avoided.
    expect((results.at(-1) as Error).message).toBe('fatal');
    // P was healthy (would have answered at 40 ms); the other endpoint failed. P should not be ejected for it.
    const pEvents = events.filter((e) => e.endpoint.host === P).map((e) => `${e.status} ${e.reason}`);
    expect(pEvents).not.toContain('ejected probe failed (a hedge answered first)');
  });

  it('hedge.delay 0 gives the probe no head start: it is not judged', async () => {
    const { events, attempts } = await probeRound({
      delay: 0, pLatency: 10,
      other: (e, clock) => new Promise((resolve) => { clock.setTimer(() => resolve(e.host), 5); }),
    });
    const probe = attempts.find((a) => a.endpoint.host === P && !a.hedge);
    expect(probe?.reason).toBe('hedge lost');
    const pEvents = events.filter((e) => e.endpoint.host === P).map((e) => `${e.status} ${e.reason}`);
    expect(pEvents).not.toContain('ejected probe failed (a hedge answered first)');
  });

});
