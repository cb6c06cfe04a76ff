import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createClient, roundRobin, type Client, type Endpoint } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { flakyOn, healthClients, SIX } from '../helpers/health-client.js';

// Health transitions with a fake transport (execute functions that fail by endpoint) and an
// injected clock.

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

const setup = healthClients();

/** An attempt function failing on the hosts in `down` (a set the test may change). */
const failOn = (down: Set<string>) => async (e: Endpoint): Promise<string> => {
  if (down.has(e.host)) throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
  return e.host;
};

async function calls(client: Client, n: number, fn: (e: Endpoint) => Promise<string>): Promise<string[]> {
  const hosts: string[] = [];
  for (let i = 0; i < n; i++) hosts.push(await client.execute(fn));
  return hosts;
}

describe('endpoint health (fake clock)', () => {
  it('ejection lasts 30 s × times ejected, at most 300 s, and a stable period forgets past ejections', async () => {
    const { clock, client, events } = setup();
    const down = new Set(['10.0.0.1']);
    const fn = failOn(down);
    const ejections: number[] = [];
    client.on('health', (e) => { if (e.status === 'ejected') ejections.push(e.ejectedFor!); });
    await calls(client, 15, fn);
    expect(ejections).toEqual([30_000]);
    for (let n = 2; n <= 12; n++) {
      await clock.advance(ejections.at(-1)!);
      await calls(client, 3, fn); // the probe fails: ejected again, for longer
    }
    expect(ejections).toEqual([30_000, 60_000, 90_000, 120_000, 150_000, 180_000, 210_000, 240_000, 270_000, 300_000, 300_000, 300_000]);
    // Back up: re-admitted by the next probe, then healthy for more than 300 s.
    down.clear();
    await clock.advance(300_000);
    await calls(client, 3, fn);
    expect(events.at(-1)).toMatchObject({ status: 'healthy', reason: 'probe succeeded' });
    await clock.advance(301_000);
    down.add('10.0.0.1');
    await calls(client, 15, fn);
    expect(ejections.at(-1)).toBe(30_000);
    expect(client.stats().endpoints[0]!.health).toEqual({ status: 'ejected', ejections: 1, nextProbeIn: 30_000, pausedFor: null });
  });

  it('no call reaches an ejected endpoint; when its time is over, one probe at a time', async () => {
    const { clock, client } = setup({ health: { ejectionTime: 1_000 } });
    const down = new Set(['10.0.0.1']);
    const seen: string[] = [];
    const fn = async (e: Endpoint): Promise<string> => { seen.push(e.host); return failOn(down)(e); };
    await calls(client, 15, fn);
    const before = seen.filter((h) => h === '10.0.0.1').length;
    expect(before).toBe(5);
    await calls(client, 30, fn);
    expect(seen.filter((h) => h === '10.0.0.1').length).toBe(5);
    await clock.advance(1_000);
    // Ten calls at once: only one of them is the probe.
    down.clear();
    const pending = Array.from({ length: 10 }, () => client.execute((e) => { seen.push(e.host); return new Promise<string>((r) => setTimeout(() => r(e.host), 1)); }));
    await Promise.all(pending);
    expect(seen.filter((h) => h === '10.0.0.1').length).toBe(6);
    expect(client.stats().endpoints[0]!.health!.status).toBe('healthy');
  });

  it('max ejection: at most 10 % of endpoints (at least one) are out; the others stay in with a fresh breaker', async () => {
    const { client, events } = setup();
    const fn = failOn(new Set(['10.0.0.1', '10.0.0.2']));
    await expect(calls(client, 30, fn)).resolves.toHaveLength(30);
    expect(events.filter((e) => e.status === 'ejected')).toHaveLength(1);
  });

  it('panic starts below the threshold and ends when endpoints come back', async () => {
    const { clock, client } = setup({ health: { maxEjectionPercent: 100, ejectionTime: 1_000 } });
    const panics: boolean[] = [];
    client.on('panic', (e) => panics.push(e.active));
    const down = new Set(['10.0.0.1', '10.0.0.2']);
    await calls(client, 30, failOn(down));
    expect(panics).toEqual([true]);
    expect(client.stats().panic).toBe(true);
    down.clear();
    await clock.advance(1_000);
    await calls(client, 10, failOn(down));
    expect(panics).toEqual([true, false]);
  });

  it('takes any cockatiel breaker', async () => {
    const { client, events } = setup({ health: { breaker: () => new ConsecutiveBreaker(2) } });
    await calls(client, 6, failOn(new Set(['10.0.0.1'])));
    expect(events.map((e) => e.status)).toEqual(['ejected']);
  });

  it('validates its options', () => {
    for (const [health, path] of [
      [{ ejectionTime: 0 }, 'health.ejectionTime'], [{ maxEjectionPercent: 120 }, 'health.maxEjectionPercent'],
      [{ panicThreshold: -1 }, 'health.panicThreshold'], [{ probes: 0 }, 'health.probes'], [{ breaker: 5 }, 'health.breaker'],
      [{ ejectionTime: 5_000, maxEjectionTime: 1_000 }, 'health.maxEjectionTime'], [true, 'health'],
    ] as const) {
      const err = (() => { try { createClient({ name: 'svc', discovery: ['10.0.0.1:80'], health: health as never }); } catch (e) { return e; } return undefined; })();
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).path).toBe(path);
    }
  });
});

describe('slow start (fake clock)', () => {
  it('an endpoint that joins later ramps from 10 % of its share to all of it over the window, with any picker', async () => {
    const clock = new FakeClock();
    let push!: (list: string[]) => void;
    const client = createClient({
      name: 'svc', clock, picker: roundRobin({ random: () => 0 }), retry: false,
      discovery: { watch(update) { push = update; return () => {}; } },
      health: { slowStart: { window: 10_000 } },
    });
    clients.push(client);
    push(['10.0.0.1:80', '10.0.0.2:80']);
    await client.execute(() => 1);
    push(['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80']);
    const shareOfNew = async (n: number): Promise<number> => {
      let hits = 0;
      for (let i = 0; i < n; i++) if ((await client.execute((e) => e.host)) === '10.0.0.3') hits++;
      return hits / n;
    };
    const early = await shareOfNew(3_000);
    await clock.advance(5_000);
    const middle = await shareOfNew(3_000);
    await clock.advance(5_000);
    const late = await shareOfNew(3_000);
    // Its full share is a third: about 10 % of that at first, about half at mid-window (round
    // robin's turn order after a re-pick moves it a little), all of it after.
    expect(early).toBeGreaterThan(0.02);
    expect(early).toBeLessThan(0.07);
    expect(middle).toBeGreaterThan(0.12);
    expect(middle).toBeLessThan(0.25);
    expect(late).toBeGreaterThan(0.3);
    expect(late).toBeLessThan(0.36);
  });
});

describe('outlier detection (fake clock)', () => {
  const six = SIX;

  it('an endpoint with 30 % errors among healthy peers is ejected by success rate; a uniformly failing cluster is not', async () => {
    const { clock, client, events } = setup({ discovery: six, retry: false, health: { outliers: { interval: 10_000 } } });
    const fn = flakyOn(new Set(['10.0.0.1']));
    for (let i = 0; i < 900; i++) await client.execute(fn).catch(() => {});
    expect(events).toEqual([]);
    await clock.advance(10_000);
    await client.execute(fn).catch(() => {});
    expect(events.map((e) => [e.endpoint.host, e.status])).toEqual([['10.0.0.1', 'ejected']]);
    expect(events[0]!.reason).toMatch(/^success rate 70\.0 % below/);

    const uniform = setup({ discovery: six, retry: false, health: { outliers: { interval: 10_000 } } });
    const all = flakyOn(new Set(six.map((s) => s.split(':')[0]!)));
    for (let i = 0; i < 900; i++) await uniform.client.execute(all).catch(() => {});
    await uniform.clock.advance(10_000);
    await uniform.client.execute(all).catch(() => {});
    expect(uniform.events).toEqual([]);
  });

  it('failure percentage, when asked for, ejects an endpoint at or over its threshold', async () => {
    const { clock, client, events } = setup({
      discovery: six, retry: false,
      health: { outliers: { successRate: false, failurePercentage: { threshold: 25, requestVolume: 50 } } },
    });
    const fn = flakyOn(new Set(['10.0.0.2']));
    for (let i = 0; i < 600; i++) await client.execute(fn).catch(() => {});
    await clock.advance(10_000);
    await client.execute(fn).catch(() => {});
    expect(events.map((e) => [e.endpoint.host, e.reason])).toEqual([['10.0.0.2', '30 % of attempts failed']]);
  });
});

describe('priority and zone failover (fake clock)', () => {
  const share = async (client: Client, n: number, fn: (e: Endpoint) => Promise<string>): Promise<Map<string, number>> => {
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const host = await client.execute(fn).catch(() => 'failed');
      counts.set(host, (counts.get(host) ?? 0) + 1 / n);
    }
    return counts;
  };
  const sum = (m: Map<string, number>, hosts: string[]): number => hosts.reduce((s, h) => s + (m.get(h) ?? 0), 0);

  it('traffic stays on priority 0 while it is healthy and spills to priority 1 as it degrades (Envoy, overprovisioning 1.4)', async () => {
    const { client } = setup({
      discovery: [
        { host: '10.0.0.1', port: 80, priority: 0 }, { host: '10.0.0.2', port: 80, priority: 0 },
        { host: '10.0.1.1', port: 80, priority: 1 }, { host: '10.0.1.2', port: 80, priority: 1 },
      ],
      health: { maxEjectionPercent: 100 },
    });
    const down = new Set<string>();
    const fn = failOn(down);
    expect(sum(await share(client, 400, fn), ['10.0.1.1', '10.0.1.2'])).toBe(0);
    // One of the two priority-0 endpoints ejected: 50 % healthy × 1.4 = 70 % stays, 30 % spills.
    down.add('10.0.0.1');
    await calls(client, 20, fn);
    down.clear();
    const half = await share(client, 4_000, fn);
    expect(sum(half, ['10.0.1.1', '10.0.1.2'])).toBeGreaterThan(0.25);
    expect(sum(half, ['10.0.1.1', '10.0.1.2'])).toBeLessThan(0.35);
  });

  it('localZone keeps traffic in the zone until the zone degrades', async () => {
    const { client } = setup({
      discovery: [
        { host: '10.0.0.1', port: 80, zone: 'a' }, { host: '10.0.0.2', port: 80, zone: 'a' }, { host: '10.0.0.3', port: 80, zone: 'a' },
        { host: '10.0.1.1', port: 80, zone: 'b' }, { host: '10.0.1.2', port: 80, zone: 'b' }, { host: '10.0.1.3', port: 80, zone: 'b' },
      ],
      localZone: 'a',
      health: { maxEjectionPercent: 100 },
    });
    const down = new Set<string>();
    const fn = failOn(down);
    expect(sum(await share(client, 600, fn), ['10.0.1.1', '10.0.1.2', '10.0.1.3'])).toBe(0);
    // Two of three in-zone endpoints out: 33 % healthy × 1.4 ≈ 47 % stays in the zone.
    down.add('10.0.0.1');
    down.add('10.0.0.2');
    await calls(client, 40, fn);
    down.clear();
    const out = sum(await share(client, 4_000, fn), ['10.0.1.1', '10.0.1.2', '10.0.1.3']);
    expect(out).toBeGreaterThan(0.45);
    expect(out).toBeLessThan(0.61);
  });
});

describe('what counts as a failure for health', () => {
  it('health.isFailure overrides the verdict: here timeouts-only, so thrown errors never eject', async () => {
    const { client, events } = setup({ health: { isFailure: (o) => o.reason.endsWith('timeout') } });
    await calls(client, 30, failOn(new Set(['10.0.0.1'])));
    expect(events).toEqual([]);
    const strict = setup({ health: { isFailure: () => { throw new Error('bug in the rule'); } } });
    const errors: unknown[] = [];
    for (let i = 0; i < 30; i++) await strict.client.execute(failOn(new Set(['10.0.0.1']))).catch((err: unknown) => errors.push(err));
    // A rule that throws is a bug of the user's: each call it judged fails with PluginError, and
    // its endpoint is not judged (before, the throw was swallowed and the verdict stood).
    expect(errors).toHaveLength(30);
    expect(errors[0]).toMatchObject({ name: 'PluginError', plugin: 'health.isFailure', message: 'svc: health.isFailure threw' });
    expect(strict.events).toEqual([]);
  });
});

describe('with every endpoint not ejected pausing at its own request', () => {
  it('sends no call to an ejected endpoint (without panic)', async () => {
    const hits: Record<string, number> = {};
    let pausing = false;
    const fetch = async (input: string | URL | Request): Promise<Response> => {
      const host = new URL(input instanceof Request ? input.url : input).hostname;
      hits[host] = (hits[host] ?? 0) + 1;
      if (host === '10.0.0.1') throw new TypeError('fetch failed', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) });
      return pausing ? new Response('busy', { status: 503, headers: { 'retry-after': '100' } }) : new Response('ok');
    };
    const { clock, client } = setup({ fetch, health: {
      breaker: () => new ConsecutiveBreaker(1), ejectionTime: 600_000, maxEjectionPercent: 100, panicThreshold: 0,
      isFailure: (o) => o.verdict !== 'success' && o.status !== 503, // a 503 with Retry-After only pauses
    } });
    // :1 refuses and is ejected; then :2 and :3 both ask to be left alone for 100 s.
    const first = client.fetch('/a');
    await clock.advance(100);
    await first;
    expect(client.stats().endpoints[0]!.health!.status).toBe('ejected');
    pausing = true;
    const call = client.fetch('/b').catch(() => undefined);
    await clock.advance(30_000);
    await call;
    hits['10.0.0.1'] = 0;
    // Still within both pauses: calls wait for them or fail, but none goes to the ejected :1.
    for (let i = 0; i < 6; i++) {
      const next = client.fetch('/c', { timeout: { total: 1_000 } }).catch(() => undefined);
      await clock.advance(1_000);
      await next;
    }
    expect(hits['10.0.0.1']).toBe(0);
  });
});
