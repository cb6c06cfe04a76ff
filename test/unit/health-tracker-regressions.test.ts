// Regressions of the health tracker, with an injected clock: Retry-After pauses across endpoint
// set changes and their bound, re-admission of endpoints active checks cannot judge, outlier
// thresholds met exactly, and the ejection count stats() shows.
import { ConsecutiveBreaker } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, type Endpoint } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { healthClients } from '../helpers/health-client.js';


/** A discovery whose set the test replaces by hand. */
function manualDiscovery(initial: string[]): { watch: (update: (list: string[]) => void) => () => void; set: (list: string[]) => void } {
  let update: ((list: string[]) => void) | undefined;
  return {
    watch: (u) => { update = u; u(initial); return () => {}; },
    set: (list) => update!(list),
  };
}

const setup = healthClients();

/** Runs a call to completion while moving the fake clock in 10 ms steps. */
async function drive<T>(clock: FakeClock, promise: Promise<T>): Promise<T> {
  let done = false;
  promise.then(() => { done = true; }, () => { done = true; });
  for (let waited = 0; !done && waited <= 100_000; waited += 10) await clock.advance(10);
  return promise;
}

/** A fetch double: A answers 503 with `Retry-After: retryAfter` while `busy.on`; everyone else 200. */
function pushingBack(retryAfter: string, busy: { on: boolean }, hits: Map<string, number>): typeof fetch {
  return (async (input: string | URL | Request) => {
    const origin = new URL(typeof input === 'string' || input instanceof URL ? input : input.url).origin;
    hits.set(origin, (hits.get(origin) ?? 0) + 1);
    if (busy.on && origin === 'http://10.0.0.1') return new Response('busy', { status: 503, headers: { 'retry-after': retryAfter } });
    return new Response('ok');
  }) as typeof fetch;
}

describe('Retry-After pauses', () => {
  it('a paused endpoint comes back when its pause ends, even if the endpoint set changed meanwhile', async () => {
    const discovery = manualDiscovery(['http://10.0.0.1', 'http://10.0.0.2', 'http://10.0.0.3']);
    const hits = new Map<string, number>();
    const busy = { on: true };
    const { clock, client } = setup({ discovery, fetch: pushingBack('5', busy, hits) });
    for (let i = 0; i < 3; i++) await drive(clock, client.fetch('/x'));
    expect(hits.get('http://10.0.0.1')).toBe(1);
    busy.on = false;
    await clock.advance(1_000);
    discovery.set(['http://10.0.0.1', 'http://10.0.0.2', 'http://10.0.0.3', 'http://10.0.0.4']); // an unrelated change
    await clock.advance(10_000);
    hits.clear();
    for (let i = 0; i < 40; i++) await drive(clock, client.fetch('/x'));
    expect(hits.get('http://10.0.0.1')).toBeGreaterThanOrEqual(9);
  });

  it('lasts at most DEFAULTS.maxPause (30 s) whatever the endpoint asks, and stats() shows what is left of it', async () => {
    expect(DEFAULTS.maxPause).toBe(30_000);
    const hits = new Map<string, number>();
    const busy = { on: true };
    const { clock, client } = setup({ discovery: ['http://10.0.0.1', 'http://10.0.0.2', 'http://10.0.0.3'], fetch: pushingBack('3600', busy, hits) });
    await drive(clock, client.fetch('/x'));
    busy.on = false;
    const [a, b] = client.stats().endpoints;
    expect(a!.health!.pausedFor).toBeGreaterThan(29_000);
    expect(a!.health!.pausedFor).toBeLessThanOrEqual(30_000);
    expect(a!.health!.status).toBe('healthy');
    expect(b!.health!.pausedFor).toBeNull();
    await clock.advance(30_000);
    hits.clear();
    for (let i = 0; i < 30; i++) await drive(clock, client.fetch('/x'));
    expect(hits.get('http://10.0.0.1')).toBeGreaterThanOrEqual(9);
    expect(client.stats().endpoints[0]!.health!.pausedFor).toBeNull();
  });
});

describe('active checks that cannot judge an endpoint', () => {
  it('leave it to real calls: an endpoint of another scheme is probed and re-admitted after an ejection', async () => {
    const { clock, client, events } = setup({
      discovery: ['redis://10.0.0.1:1', 'redis://10.0.0.2:1', 'redis://10.0.0.3:1', 'redis://10.0.0.4:1'],
      health: { checks: { interval: 1_000 } },
    });
    let down = true;
    const fn = async (e: Endpoint): Promise<string> => {
      if (down && e.host === '10.0.0.1') throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
      return e.host;
    };
    for (let i = 0; i < 30; i++) await drive(clock, client.execute(fn));
    expect(events.map((e) => e.status)).toEqual(['ejected']);
    down = false;
    await clock.advance(30_000);
    const hosts = new Set<string>();
    for (let i = 0; i < 8; i++) hosts.add(await drive(clock, client.execute(fn)));
    expect(events.map((e) => [e.status, e.reason])).toEqual([
      ['ejected', 'breaker opened (connection refused)'], ['probing', 'ejection over'], ['healthy', 'probe succeeded'],
    ]);
    expect(hosts.has('10.0.0.1')).toBe(true);
  });
});

describe('failure-percentage outlier detection', () => {
  it('ejects an endpoint whose failures are exactly at the threshold (10 of 50 at 20 %)', async () => {
    const { clock, client, events } = setup({
      discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80', '10.0.0.4:80', '10.0.0.5:80'], retry: false,
      health: {
        breaker: () => new ConsecutiveBreaker(1_000),
        outliers: { successRate: false, failurePercentage: { threshold: 20, requestVolume: 50, minimumHosts: 5 } },
      },
    });
    let n = 0;
    const fn = (e: Endpoint): string => {
      if (e.host === '10.0.0.1' && ++n % 5 === 0) throw new Error('x');
      return e.host;
    };
    for (let i = 0; i < 250; i++) await client.execute(fn).catch(() => {});
    expect(client.stats().endpoints[0]).toMatchObject({ failures: 10, successes: 40 });
    clock.t = 10_001;
    await client.execute(fn).catch(() => {});
    expect(events.map((e) => [e.endpoint.host, e.status, e.reason])).toEqual([['10.0.0.1', 'ejected', '20 % of attempts failed']]);
  });
});

describe('stats().endpoints[i].health.ejections', () => {
  it('counts ejections since the last stable period: 0 once the endpoint has been healthy for maxEjectionTime', async () => {
    const { clock, client } = setup({ retry: false, health: { ejectionTime: 1_000, maxEjectionTime: 2_000, maxEjectionPercent: 50 } });
    let down = true;
    const fn = (e: Endpoint): string => {
      if (down && e.host === '10.0.0.1') throw new Error('down');
      return e.host;
    };
    const call = (): Promise<unknown> => client.execute(fn).catch(() => {});
    for (let i = 0; i < 15; i++) await call();
    await clock.advance(1_000);
    for (let i = 0; i < 3; i++) await call(); // the probe fails: second ejection
    expect(client.stats().endpoints[0]!.health).toMatchObject({ status: 'ejected', ejections: 2 });
    down = false;
    await clock.advance(2_000);
    for (let i = 0; i < 3; i++) await call();
    expect(client.stats().endpoints[0]!.health).toMatchObject({ status: 'healthy', ejections: 2 });
    await clock.advance(1_999);
    expect(client.stats().endpoints[0]!.health!.ejections).toBe(2);
    await clock.advance(2);
    expect(client.stats().endpoints[0]!.health!.ejections).toBe(0);
    // The next ejection starts over, as it did before.
    down = true;
    for (let i = 0; i < 15; i++) await call();
    expect(client.stats().endpoints[0]!.health).toMatchObject({ status: 'ejected', ejections: 1, nextProbeIn: 1_000 });
  });
});
