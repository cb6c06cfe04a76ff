// Endpoint health beyond passive ejection, on real servers on 127.0.0.1: active health checks,
// a killed backend coming back, priority failover, outlier detection and zones.
import { describe, expect, it, vi } from 'vitest';
import { createClient, roundRobin, type HealthEvent } from '../../src/index.js';
import { ok, startServer, status, type Handler } from '../helpers/servers.js';
import { closeAfterEach, load, sleep, until } from '../helpers/lifecycle.js';

const { track, servers, defer } = closeAfterEach();

/**
 * Records the timers set from now on (until the test ends): the returned function gives the
 * delays of those still pending that are `unref()`ed, as bulwark's background timers are.
 */
function backgroundTimers(): () => number[] {
  const live = new Map<NodeJS.Timeout, number | undefined>();
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const set = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const timer = realSet(() => {
      live.delete(timer);
      fn(...args);
    }, ms);
    live.set(timer, ms);
    return timer;
  }) as unknown as typeof setTimeout);
  const clear = vi.spyOn(globalThis, 'clearTimeout').mockImplementation((timer) => {
    live.delete(timer as NodeJS.Timeout);
    realClear(timer);
  });
  defer(async () => {
    set.mockRestore();
    clear.mockRestore();
  });
  return () => [...live].filter(([t]) => !t.hasRef()).map(([, ms]) => ms ?? 0);
}



describe('active health checks', () => {
  it('a failing check ejects an endpoint that gets no traffic; passing checks re-admit it; close() stops them', async () => {
    let sick = true;
    const handler: Handler = (req, res) => {
      req.resume();
      res.writeHead(req.url === '/health' && sick ? 503 : 200).end();
    };
    const [a, b] = await servers(handler, ok());
    const client = createClient({
      name: 'svc', discovery: [a!.url, b!.url],
      // A long ejection: the checks, not its end, must bring the endpoint back (no 'probing' in between).
      health: { ejectionTime: 30_000, checks: { interval: 40, unhealthyThreshold: 2, healthyThreshold: 2 } },
    });
    const events: HealthEvent[] = [];
    client.on('health', (e) => events.push(e));
    await until(() => events.length > 0, 3_000);
    expect(events[0]).toMatchObject({ status: 'ejected', reason: 'health check failed (status 503)' });
    expect(events[0]!.endpoint.url).toBe(a!.url);
    expect(a!.requests.every((r) => r.path === '/health')).toBe(true);
    sick = false;
    await until(() => events.some((e) => e.status === 'healthy'), 3_000);
    // Ejected by the checks, so back as soon as it passes them (its ejection time need not run out).
    expect(events.map((e) => e.status)).toEqual(['ejected', 'healthy']);
    expect(events.at(-1)!.reason).toBe('health check passed');
    await client.close();
    // A check sent just before close() may still be on its way to the server: count after it landed.
    await sleep(50);
    const checks = a!.requests.length + b!.requests.length;
    await sleep(150);
    expect(a!.requests.length + b!.requests.length).toBe(checks);
  });

  it('takes a check of your own, for endpoints of any scheme', async () => {
    const client = track(createClient({
      name: 'svc', discovery: ['tcp://127.0.0.1:5001', 'tcp://127.0.0.1:5002'],
      health: { checks: { interval: 30, unhealthyThreshold: 1, check: (e) => e.port !== 5001 } },
    }));
    const events: HealthEvent[] = [];
    client.on('health', (e) => events.push(e));
    await until(() => events.length > 0, 3_000);
    expect(events[0]).toMatchObject({ status: 'ejected', reason: 'health check failed (check returned false)' });
    expect(events[0]!.endpoint.port).toBe(5001);
    // Calls go to the other one only.
    const ports = new Set<number>();
    for (let i = 0; i < 10; i++) ports.add(await client.execute((e) => e.port));
    expect([...ports]).toEqual([5002]);
  });

  it('a check that never settles fails with "timeout" once the timeout passes: checks of its endpoint go on, and its late result is ignored', async () => {
    const checks = new Map<string, number>();
    let late: ((passed: boolean) => void) | undefined;
    const client = track(createClient({
      name: 'hc', discovery: ['10.0.0.1:1', '10.0.0.2:1'],
      health: {
        ejectionTime: 30_000, // so that only the checks bring it back
        checks: {
          interval: 30, timeout: 20, unhealthyThreshold: 1, healthyThreshold: 1,
          // A's first check ignores its signal and settles only when the test says so.
          check: (e) => {
            checks.set(e.host, (checks.get(e.host) ?? 0) + 1);
            if (e.host === '10.0.0.1' && late === undefined) return new Promise<boolean>((resolve) => { late = resolve; });
            return true;
          },
        },
      },
    }));
    const events: HealthEvent[] = [];
    client.on('health', (e) => events.push(e));
    // Ejected by the timeout, then back by the checks that follow.
    await until(() => events.some((e) => e.status === 'healthy'), 3_000);
    expect(events.map((e) => [e.endpoint.host, e.status, e.reason])).toEqual([
      ['10.0.0.1', 'ejected', 'health check failed (timeout)'],
      ['10.0.0.1', 'healthy', 'health check passed'],
    ]);
    await until(() => (checks.get('10.0.0.1') ?? 0) >= 5, 2_000);
    // The abandoned check fails now: nothing counts it (with unhealthyThreshold 1 it would eject A again).
    late!(false);
    await sleep(100);
    expect(events.filter((e) => e.status === 'ejected')).toHaveLength(1);
    expect(checks.get('10.0.0.2')).toBeGreaterThanOrEqual(5);
  });

  it('close() ends checks that ignore their signal at once: their signals are aborted, and no timer is left', async () => {
    const pending = backgroundTimers();
    const signals: AbortSignal[] = [];
    const client = track(createClient({
      name: 'hc', discovery: ['10.0.0.1:1', '10.0.0.2:1'],
      health: { checks: { interval: 20, timeout: 60_000, check: (_e, { signal }) => { signals.push(signal); return new Promise<boolean>(() => {}); } } },
    }));
    await until(() => signals.length === 2, 2_000);
    expect(pending().filter((ms) => ms === 60_000)).toHaveLength(2); // the two checks' timeouts
    await client.close();
    expect(signals.map((s) => s.aborted)).toEqual([true, true]);
    expect(pending()).toEqual([]);
    await sleep(60);
    expect(signals).toHaveLength(2);
  });
});

describe('a killed backend, restarted', () => {
  it('is ejected, re-admitted by a probe once it is back, and ramps up its share (slow start)', async () => {
    const [good] = await servers(ok());
    let victim = await startServer(ok());
    const port = victim.port;
    const client = track(createClient({
      name: 'svc', discovery: [victim.url, good!.url], picker: roundRobin(),
      // Ejected for long enough that the 40 calls below end before its probe is due.
      health: { ejectionTime: 1_000, slowStart: { window: 2_000 } },
    }));
    const events: HealthEvent[] = [];
    client.on('health', (e) => events.push(e));
    expect(await load(() => client.fetch('/x'), 20, 2)).toBe(0);
    await victim.close();
    expect(await load(() => client.fetch('/x'), 40, 2)).toBe(0);
    expect(events.map((e) => e.status)).toEqual(['ejected']);
    victim = await startServer(ok(), port);
    try {
      await sleep(1_050);
      await until(() => { void load(() => client.fetch('/x'), 2, 1); return events.some((e) => e.status === 'healthy'); }, 3_000);
      expect(events.map((e) => e.status)).toEqual(['ejected', 'probing', 'healthy']);
      // Fresh from its probe, it gets a small share; two seconds on, its full half.
      const before = victim.requests.length;
      await load(() => client.fetch('/x'), 200, 2);
      const early = (victim.requests.length - before) / 200;
      await sleep(2_050);
      const mid = victim.requests.length;
      await load(() => client.fetch('/x'), 200, 2);
      const late = (victim.requests.length - mid) / 200;
      expect(early).toBeLessThan(0.3);
      expect(late).toBeGreaterThan(0.4);
    } finally {
      await victim.close();
    }
  });
});

describe('priority failover on real servers', () => {
  it('priority 1 gets calls only as priority 0 degrades', async () => {
    let p0Down = false;
    const flaky: Handler = (req, res) => { req.resume(); res.writeHead(p0Down ? 503 : 200).end(); };
    const [a, b, c, d] = await servers(flaky, ok(), ok(), ok());
    const at = (s: { port: number }, priority: number) => ({ host: '127.0.0.1', port: s.port, priority });
    const client = track(createClient({
      name: 'svc', discovery: [at(a!, 0), at(b!, 0), at(c!, 1), at(d!, 1)], picker: roundRobin(),
      health: { maxEjectionPercent: 50 },
    }));
    expect(await load(() => client.fetch('/x'), 100, 4)).toBe(0);
    expect(c!.requests.length + d!.requests.length).toBe(0);
    p0Down = true;
    expect(await load(() => client.fetch('/x'), 100, 4)).toBe(0);
    const before = c!.requests.length + d!.requests.length;
    expect(await load(() => client.fetch('/x'), 1_000, 4)).toBe(0);
    const spilled = (c!.requests.length + d!.requests.length - before) / 1_000;
    // Half of priority 0 ejected: 50 % × 1.4 = 70 % stays there, 30 % goes to priority 1.
    expect(spilled).toBeGreaterThan(0.22);
    expect(spilled).toBeLessThan(0.38);
  });
});

describe('outlier detection and zones on real servers', () => {
  /** Fails 3 requests in every 10 (never 5 in a row, so no breaker opens). */
  const thirtyPercent = (): Handler => {
    let n = 0;
    return (req, res) => { req.resume(); res.writeHead(n++ % 10 < 3 ? 500 : 200).end(); };
  };

  it('an endpoint with 30 % errors among healthy peers is ejected by success rate', async () => {
    const fleet = await servers(thirtyPercent(), ok(), ok(), ok(), ok(), ok());
    const outliers = { interval: 400, successRate: { requestVolume: 20 } };
    const client = track(createClient({ name: 'svc', discovery: fleet.map((s) => s.url), picker: roundRobin(), retry: false, health: { outliers } }));
    const events: HealthEvent[] = [];
    client.on('health', (e) => events.push(e));
    const deadline = performance.now() + 5_000;
    while (events.length === 0 && performance.now() < deadline) await load(() => client.fetch('/x'), 60, 4);
    expect(events[0]).toMatchObject({ status: 'ejected' });
    expect(events[0]!.endpoint.url).toBe(fleet[0]!.url);
    expect(events[0]!.reason).toMatch(/^success rate/);

  });

  it('a uniformly failing cluster (every endpoint 30 % errors) ejects nothing', async () => {
    const uniform = await servers(thirtyPercent(), thirtyPercent(), thirtyPercent(), thirtyPercent(), thirtyPercent(), thirtyPercent());
    // Batches of 60 calls, one at a time, round robin: 10 per endpoint per interval, so every
    // endpoint's rate in every interval is exactly 70 % and no sampling noise sets one apart.
    const client = track(createClient({
      name: 'svc', discovery: uniform.map((s) => s.url), picker: roundRobin(), retry: false,
      health: { outliers: { interval: 200, successRate: { requestVolume: 10 } } },
    }));
    const events: HealthEvent[] = [];
    client.on('health', (e) => events.push(e));
    for (let batch = 0; batch < 4; batch++) {
      await sleep(250);
      await load(() => client.fetch('/x'), 60, 1);
    }
    expect(events).toEqual([]);
  });

  it('localZone keeps traffic in the zone until the zone degrades', async () => {
    let sick = false;
    const zoneA: Handler = (req, res) => { req.resume(); res.writeHead(sick ? 503 : 200).end(); };
    const [a1, a2, b1, b2] = await servers(zoneA, zoneA, ok(), ok());
    const at = (s: { port: number }, zone: string) => ({ host: '127.0.0.1', port: s.port, zone });
    const client = track(createClient({
      name: 'svc', discovery: [at(a1!, 'a'), at(a2!, 'a'), at(b1!, 'b'), at(b2!, 'b')], picker: roundRobin(),
      localZone: 'a', health: { maxEjectionPercent: 100 },
    }));
    expect(await load(() => client.fetch('/x'), 100, 4)).toBe(0);
    expect(b1!.requests.length + b2!.requests.length).toBe(0);
    // The whole zone falls sick: it is ejected and the calls go to the other zone. (Until both
    // in-zone endpoints are out, a call may meet only them: the other zone is not a candidate yet.)
    sick = true;
    await load(() => client.fetch('/x'), 100, 4);
    const before = b1!.requests.length + b2!.requests.length;
    expect(await load(() => client.fetch('/x'), 200, 4)).toBe(0);
    expect(b1!.requests.length + b2!.requests.length - before).toBe(200);
  });
});
