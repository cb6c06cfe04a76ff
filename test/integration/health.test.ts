// Passive endpoint health on real servers on 127.0.0.1: ejection, probing, re-admission,
// Retry-After and the guards, with every built-in picker; the service-level circuit breaker.
// Active checks, restarts, failover and outliers: health-checks-routing.test.ts.
import { describe, expect, it } from 'vitest';
import {
  CircuitOpenError, createClient, leastRequest, peakEwma, random, ringHash, roundRobin, weightedRoundRobin,
  type AttemptEvent, type HealthEvent, type Picker,
} from '../../src/index.js';
import { closedPort, ok, status, type Handler } from '../helpers/servers.js';
import { closeAfterEach, load, sleep, until } from '../helpers/lifecycle.js';

const { track, servers } = closeAfterEach();


const PICKERS: [string, () => Picker][] = [
  ['peakEwma', () => peakEwma()], ['leastRequest', () => leastRequest()], ['roundRobin', () => roundRobin()],
  ['random', () => random()], ['weightedRoundRobin', () => weightedRoundRobin()], ['ringHash', () => ringHash()],
];

describe('a dead endpoint is ejected', () => {
  it.each(PICKERS)('%s: 3 000 calls from 50 callers with one of three endpoints refusing: none fails, and after its ejection the dead one gets nothing', async (_name, picker) => {
    const live = await servers(ok(), ok());
    const dead = await closedPort();
    const client = track(createClient({ name: 'svc', discovery: [dead, live[0]!.url, live[1]!.url], picker: picker() }));
    let ejectedAt = Infinity;
    client.on('health', (e) => { if (e.endpoint.url === dead && e.status === 'ejected') ejectedAt = performance.now(); });
    let laterOnDead = 0;
    client.on('attempt', (e) => {
      if (e.endpoint.url === dead && performance.now() - e.latency > ejectedAt + 1) laterOnDead++;
    });
    const failed = await load((i) => client.fetch(`/x${i}`, { key: `k${i % 97}` }), 3_000, 50);
    expect(failed).toBe(0);
    expect(ejectedAt).toBeLessThan(Infinity);
    expect(laterOnDead).toBe(0);
    const deadStats = client.stats().endpoints.find((e) => e.url === dead)!;
    expect(deadStats.health).toMatchObject({ status: 'ejected', ejections: 1 });
    // Ejected for the default 30 s, counted from the ejection (however long the load took).
    expect(deadStats.health!.nextProbeIn).toBeGreaterThan(30_000 - (performance.now() - ejectedAt) - 50);
  });
});

describe('an endpoint that keeps failing but stays in', () => {
  it("a fast 503 endpoint that health never ejects (isFailure counts only timeouts) stops winning peakEwma's picks after its second failure in a row", async () => {
    // The others take 40 ms, so a first 503 (which now counts as the few ms it took) still
    // looks fastest and is picked again: the second failure in a row is what takes it out.
    const [a, b, busy] = await servers(ok(40), ok(40), status(503));
    const client = track(createClient({ name: 'svc', discovery: [a!.url, b!.url, busy!.url], health: { isFailure: (o) => o.reason === 'attempt timeout' } }));
    const failed = await load(() => client.fetch('/x'), 60, 1);
    expect(failed).toBe(0);
    const stats = client.stats().endpoints.find((e) => e.url === busy!.url)!;
    expect(stats.health!.status).toBe('healthy');
    // Before, its estimate stayed 0 (failures were left to health, which ignores these): it won
    // most comparisons and most calls tried it first (about 2 in 3). Now two 503s in a row
    // count as ≥ 1 s and it is left alone.
    expect(busy!.requests.length).toBeLessThanOrEqual(4);
    expect(stats.failuresInARow).toBeGreaterThanOrEqual(2);
    // 1 s at its second failure, decayed since (decay 10 s) over the ~2.4 s the others took.
    expect(stats.latency).toBeGreaterThanOrEqual(500);
  });

  it('one of three endpoints ejected, another refusing connections and kept in by the max-ejection guard: calls stop trying it first', async () => {
    const good = await servers(ok());
    const deadA = await closedPort();
    const deadB = await closedPort();
    const client = track(createClient({ name: 'svc', discovery: [good[0]!.url, deadA, deadB] }));
    let onDead = 0;
    client.on('attempt', (e) => { if (e.endpoint.url !== good[0]!.url) onDead++; });
    const failed = await load(() => client.fetch('/x'), 40, 1);
    expect(failed).toBe(0);
    // Whether one of them is ejected first or both are penalized first, neither keeps winning
    // picks: before, the one the guard kept in (estimate 0) was tried first by every call.
    expect(onDead).toBeLessThanOrEqual(10);
  });
});

describe('ejection, probing and re-admission', () => {
  it('a 503 endpoint is ejected after 5 failures, gets nothing until probed, is ejected again for twice as long while it fails, and re-admitted once it answers', async () => {
    let failing = true;
    const flaky: Handler = (req, res) => { req.resume(); res.writeHead(failing ? 503 : 200).end(); };
    const [bad, good] = await servers(flaky, ok());
    const client = track(createClient({ name: 'svc', discovery: [bad!.url, good!.url], picker: roundRobin(), health: { ejectionTime: 1_000 } }));
    const events: (HealthEvent & { at: number })[] = [];
    client.on('health', (e) => events.push({ ...e, at: performance.now() }));
    const run = (n: number): Promise<number> => load(() => client.fetch('/x'), n, 1);
    expect(await run(20)).toBe(0);
    expect(bad!.requests).toHaveLength(5);
    expect(events.map((e) => [e.status, e.ejections, e.ejectedFor])).toEqual([['ejected', 1, 1_000]]);
    // Until the ejection is over, nothing reaches it.
    await run(20);
    expect(bad!.requests).toHaveLength(5);
    await sleep(1_020);
    await run(10);
    // One probe; it failed, so the second ejection lasts 2 s.
    expect(bad!.requests).toHaveLength(6);
    expect(events.map((e) => [e.previous, e.status, e.ejectedFor])).toEqual([
      ['healthy', 'ejected', 1_000], ['ejected', 'probing', undefined], ['probing', 'ejected', 2_000],
    ]);
    failing = false;
    await sleep(2_020);
    await run(20);
    expect(events.at(-1)).toMatchObject({ previous: 'probing', status: 'healthy', reason: 'probe succeeded' });
    // Re-admitted: it takes its share again.
    expect(bad!.requests.length).toBeGreaterThanOrEqual(6 + 9);
    expect(client.stats().endpoints[0]!.health).toMatchObject({ status: 'healthy', ejections: 2, nextProbeIn: null });
  });

  it('a 4xx is the caller\'s problem, not the endpoint\'s: no ejection', async () => {
    const [notFound, good] = await servers(status(404), ok());
    const client = track(createClient({ name: 'svc', discovery: [notFound!.url, good!.url], picker: roundRobin() }));
    const events: HealthEvent[] = [];
    client.on('health', (e) => events.push(e));
    await load(() => client.fetch('/x'), 40, 4);
    expect(events).toEqual([]);
    expect(notFound!.requests.length).toBe(20);
  });

  it('one 500 from a healthy endpoint does not take its share away', async () => {
    let first = true;
    const once500: Handler = (req, res) => {
      req.resume();
      if (first) { first = false; res.writeHead(500).end(); return; }
      res.writeHead(200).end();
    };
    const [a, b, c] = await servers(once500, ok(), ok());
    const client = track(createClient({ name: 'svc', discovery: [a!.url, b!.url, c!.url] }));
    // Make sure the 500 happens first, on a.
    await client.fetch('/warm', { timeout: { total: 1_000 } }).then((r) => r.arrayBuffer());
    // The warm call went elsewhere: send the 500 to a directly.
    if (first) await fetch(`${a!.url}/direct`).then((r) => r.arrayBuffer());
    const before = a!.requests.length;
    await load(() => client.fetch('/x'), 600, 8);
    const share = (a!.requests.length - before) / 600;
    // peakEwma spreads over equally fast endpoints; a 1 s failure penalty used to starve it for ~30 s.
    expect(share).toBeGreaterThan(0.15);
  });
});

describe('Retry-After belongs to the endpoint that sent it', () => {
  it("one endpoint's Retry-After: 3 does not delay a call another endpoint can serve, and that endpoint is left alone for 3 s", async () => {
    const [pushy, good] = await servers(status(503, { 'retry-after': '3' }), ok());
    const client = track(createClient({ name: 'svc', discovery: [pushy!.url, good!.url], picker: roundRobin({ random: () => 0 }) }));
    const started = performance.now();
    const res = await client.fetch('/x');
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(500);
    expect(pushy!.requests).toHaveLength(1);
    // For the next calls (well within the 3 s) it gets nothing, and nobody waits for it.
    const t = performance.now();
    expect(await load(() => client.fetch('/x'), 20, 2)).toBe(0);
    expect(performance.now() - t).toBeLessThan(1_000);
    expect(pushy!.requests).toHaveLength(1);
  });
});

describe('Retry-After, after the pause', () => {
  it('the endpoint takes calls again once its Retry-After is over', async () => {
    let pause = true;
    const once: Handler = (req, res) => {
      req.resume();
      if (pause) { pause = false; res.writeHead(503, { 'retry-after': '1' }).end(); return; }
      res.writeHead(200).end();
    };
    const [a, b] = await servers(once, ok());
    const client = track(createClient({ name: 'svc', discovery: [a!.url, b!.url], picker: roundRobin({ random: () => 0 }) }));
    expect(await load(() => client.fetch('/x'), 10, 1)).toBe(0);
    expect(a!.requests).toHaveLength(1);
    await sleep(1_050);
    expect(await load(() => client.fetch('/x'), 10, 1)).toBe(0);
    expect(a!.requests.length).toBeGreaterThanOrEqual(5);
  });
});

describe('the guards', () => {
  it('max ejection: with 3 of 4 endpoints refusing only one is ejected, and calls keep flowing', async () => {
    const [good] = await servers(ok());
    const dead = await Promise.all([closedPort(), closedPort(), closedPort()]);
    // Four attempts: before the guard's one ejection, a call may meet all three dead ones first.
    const client = track(createClient({ name: 'svc', discovery: [...dead, good!.url], picker: roundRobin(), retry: { attempts: 4 } }));
    const ejected = new Set<string>();
    client.on('health', (e) => { if (e.status === 'ejected') ejected.add(e.endpoint.url); });
    expect(await load((i) => client.fetch(`/x${i}`), 200, 4)).toBe(0);
    expect(ejected.size).toBe(1);
    expect(client.stats().panic).toBe(false);
  });

  it('panic: when most endpoints are ejected, calls go to all of them, and panic ends when they recover', async () => {
    let down = true;
    const flaky: Handler = (req, res) => { req.resume(); res.writeHead(down ? 503 : 200).end(); };
    const [x, y, z] = await servers(flaky, flaky, ok());
    const client = track(createClient({
      name: 'svc', discovery: [x!.url, y!.url, z!.url], picker: roundRobin(),
      health: { maxEjectionPercent: 100, ejectionTime: 200 }, retry: { budget: false },
    }));
    const panics: boolean[] = [];
    client.on('panic', (e) => panics.push(e.active));
    let sawPanicInStats = false;
    client.on('panic', () => { sawPanicInStats ||= client.stats().panic; });
    await load(() => client.fetch('/x'), 60, 2);
    expect(panics[0]).toBe(true);
    expect(sawPanicInStats).toBe(true);
    // In panic the ejected endpoints still get calls.
    const during = x!.requests.length + y!.requests.length;
    await load(() => client.fetch('/x'), 30, 2);
    expect(x!.requests.length + y!.requests.length).toBeGreaterThan(during);
    // (While they fail, probing and re-ejection can end and restart panic; once they answer, it ends.)
    // Repeated ejections lengthen (200 ms × n), so give recovery a bounded while.
    down = false;
    const deadline = performance.now() + 5_000;
    while (client.stats().panic && performance.now() < deadline) {
      await sleep(100);
      await load(() => client.fetch('/x'), 10, 2);
    }
    expect(panics.at(-1)).toBe(false);
    expect(client.stats().panic).toBe(false);
  });
});

describe('health: false', () => {
  it('keeps every endpoint in rotation, whatever its outcomes', async () => {
    const [good] = await servers(ok());
    const dead = await closedPort();
    const client = track(createClient({ name: 'svc', discovery: [dead, good!.url], picker: roundRobin(), health: false, retry: { budget: false } }));
    const onDead: AttemptEvent[] = [];
    client.on('attempt', (e) => { if (e.endpoint.url === dead) onDead.push(e); });
    expect(await load(() => client.fetch('/x'), 40, 1)).toBe(0);
    // Round robin meets the dead one first on (nearly) every call: it never leaves the rotation.
    expect(onDead.length).toBeGreaterThanOrEqual(39);
    expect(client.stats().endpoints[0]!.health).toBeUndefined();
  });
});


describe('the service-level circuit breaker', () => {
  it('while every endpoint fails, calls fail at once with CircuitOpenError and reach no server', async () => {
    const [a, b] = await servers(status(503), status(503));
    const client = track(createClient({ name: 'svc', discovery: [a!.url, b!.url], circuitBreaker: { halfOpenAfter: 60_000 } }));
    const errors = new Map<string, number>();
    // The default sampling breaker opens once half the calls failed over 10 s, with at least
    // 5 calls a second over that window (50 calls): then it refuses the rest.
    for (let i = 0; i < 80; i++) {
      const started = performance.now();
      const outcome = await client.fetch('/x').then((r) => { void r.arrayBuffer(); return `status ${r.status}`; }, (e: unknown) => (e instanceof CircuitOpenError ? 'circuit open' : String(e)));
      errors.set(outcome, (errors.get(outcome) ?? 0) + 1);
      // At once: no attempt, no backoff (a stalled event loop can still take a while).
      if (outcome === 'circuit open') expect(performance.now() - started).toBeLessThan(200);
      await sleep(20); // 50 calls a second: above the sampling breaker's 5 a second
    }
    const sent = a!.requests.length + b!.requests.length;
    expect(errors.get('circuit open')).toBeGreaterThanOrEqual(20);
    expect(client.stats().circuit).toMatchObject({ state: 'open' });
    // Nothing was sent for the calls the open circuit refused.
    await load(() => client.fetch('/x').catch(() => new Response(null, { status: 599 })), 10, 2);
    expect(a!.requests.length + b!.requests.length).toBe(sent);
  });
});
