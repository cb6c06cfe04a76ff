import { afterEach, describe, expect, it } from 'vitest';
import { createClient, roundRobin, type AttemptEvent, type Client, type ClientOptions, type HedgeEvent } from '../../src/index.js';
import { mulberry32 } from '../helpers/prng.js';
import { startServers, type Handler, type TestServer } from '../helpers/servers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function servers(handlers: Handler[]): Promise<TestServer[]> {
  const started = await startServers(handlers);
  cleanups.push(() => started.closeAll());
  return started;
}

function client(options: ClientOptions): Client {
  const c = createClient({ fetch: numberingFetch(), ...options });
  cleanups.push(() => c.close());
  return c;
}

/**
 * The client's fetch: numbers the requests for each path in the order the client sends them
 * (header `x-nth`: 0 for a call's first attempt, 1 for its hedge). Servers decide on it rather
 * than on arrival order, which a loaded event loop may swap for requests a few ms apart.
 */
function numberingFetch(): typeof globalThis.fetch {
  const sent = new Map<string, number>();
  return (input, init) => {
    const url = new URL(String(input));
    const path = url.pathname + url.search;
    const nth = sent.get(path) ?? 0;
    sent.set(path, nth + 1);
    const headers = new Headers(init?.headers);
    headers.set('x-nth', String(nth));
    return globalThis.fetch(input, { ...init, headers });
  };
}

/**
 * A backend whose answer delay `delayOf(path, nth)` depends on the request's path and on its
 * number within the call (`x-nth`, see numberingFetch): which requests are slow is fixed by
 * the test. `seen` counts the requests per path that reached any server sharing it; `gone`, if
 * given, gets `path#nth` of each request whose connection went away before its answer, which is
 * then never sent.
 */
function backend(seen: Map<string, number>, delayOf: (path: string, nth: number) => number, gone?: Set<string>): Handler {
  return (req, res, s) => {
    req.resume();
    const path = req.url ?? '';
    seen.set(path, (seen.get(path) ?? 0) + 1);
    const nth = Number(req.headers['x-nth'] ?? 0);
    const timer = setTimeout(() => {
      if (!res.destroyed) res.writeHead(200, { 'content-type': 'text/plain' }).end(String(s.port));
    }, delayOf(path, nth));
    res.on('close', () => {
      clearTimeout(timer);
      if (!res.writableFinished) gone?.add(`${path}#${nth}`);
    });
  };
}

/** The number after the last slash of a path such as `/tail/17`. */
function indexOf(path: string): number {
  return Number(path.slice(path.lastIndexOf('/') + 1));
}

function total(list: readonly TestServer[], key: 'requests' | 'aborted'): number {
  return list.reduce((n, s) => n + (key === 'requests' ? s.requests.length : s.aborted), 0);
}

/** Nearest-rank percentile. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits (bounded) until `check` holds; a server notices a request going away a moment after the client aborts it. */
async function until(check: () => boolean, ms = 1_000): Promise<void> {
  const end = performance.now() + ms;
  while (!check() && performance.now() < end) await sleep(10);
}

/** One call: its latency as the caller saw it, body read. */
async function timedGet(c: Client, path: string, init?: Parameters<Client['fetch']>[1]): Promise<number> {
  const started = performance.now();
  const res = await c.fetch(path, init);
  expect(res.status).toBe(200);
  await res.text();
  return performance.now() - started;
}

/** `n` GET calls, `concurrency` at a time, bounded by `budgetMs`; the latency of each call by index. */
async function workload(c: Client, prefix: string, n: number, concurrency: number, budgetMs: number): Promise<number[]> {
  const latencies: number[] = [];
  const stopAt = performance.now() + budgetMs;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n && performance.now() < stopAt) {
      const i = next++;
      latencies[i] = await timedGet(c, `${prefix}/${i}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  expect(latencies.filter((l) => l !== undefined).length).toBe(n);
  return latencies;
}

/** Every attempt event the client emits, in order. */
function recordAttempts(c: Client): AttemptEvent[] {
  const events: AttemptEvent[] = [];
  c.on('attempt', (e) => events.push(e));
  return events;
}

/** The books balance: attempt events = stats().attempts, and per endpoint outcomes + inflight = attempts sent there. */
function expectBooksBalance(c: Client, events: readonly AttemptEvent[], backends: readonly TestServer[]): void {
  const stats = c.stats();
  expect(stats.calls.inflight).toBe(0);
  expect(events.length).toBe(stats.attempts);
  let sum = 0;
  for (const e of stats.endpoints) {
    const here = events.filter((a) => a.endpoint.url === e.url);
    expect(e.inflight).toBe(0);
    expect(e.successes + e.failures + e.cancelled + e.inflight).toBe(here.length);
    expect(e.successes).toBe(here.filter((a) => a.verdict === 'success').length);
    expect(e.cancelled).toBe(here.filter((a) => a.verdict === 'cancelled').length);
    sum += e.successes + e.failures + e.cancelled + e.inflight;
    // A request reaches the server unless it was cancelled before it was written out.
    const server = backends.find((s) => s.url === e.url)!;
    expect(server.requests.length).toBeLessThanOrEqual(here.length);
    expect(server.requests.length).toBeGreaterThanOrEqual(here.length - here.filter((a) => a.verdict === 'cancelled').length);
  }
  expect(sum).toBe(stats.attempts);
  expect(stats.hedges.sent).toBe(events.filter((a) => a.hedge).length);
  expect(stats.hedges.won).toBe(events.filter((a) => a.hedge && a.verdict === 'success').length);
}

describe('hedging cuts the tail', () => {
  it('3 % of requests take 600 ms: hedging after 30 ms cuts p99 ≥ 5× for ≤ 7 % more requests', async () => {
    // 1 000 calls, so that p99 is the 11th slowest: one event-loop stall (another process on
    // the 2 cores) delays at most the 8 calls in flight and cannot set it alone.
    const N = 1_000;
    const SLOW_MS = 600;
    // The plan, per call and per request of the call (first attempt, hedge): slow with p = 0.03,
    // otherwise 1–5 ms. Seed 13 gives 28 slow first attempts (calls 53 … ), never two slow
    // requests in one call, and at any point at most 5 % of the calls so far less one: within
    // the 5 % hedge budget with room for one hedge of a call that was slow by accident.
    const random = mulberry32(13);
    const plan = Array.from({ length: N }, () => ({
      slow: [random() < 0.03, random() < 0.03],
      fast: [1 + Math.floor(random() * 5), 1 + Math.floor(random() * 5)],
    }));
    const slowCalls = plan.flatMap((p, i) => (p.slow[0] ? [i] : []));
    expect(slowCalls.length).toBe(28);
    expect(slowCalls.slice(0, 5)).toEqual([53, 75, 87, 119, 178]);
    expect(plan.some((p) => p.slow[0] && p.slow[1])).toBe(false);
    const delayOf = (path: string, nth: number): number => {
      const p = plan[indexOf(path)]!;
      const k = Math.min(nth, 1);
      return p.slow[k] ? SLOW_MS : p.fast[k]!;
    };

    const run = async (hedge: ClientOptions['hedge']): Promise<{ latencies: number[]; backends: TestServer[]; c: Client; events: AttemptEvent[]; hedgeEvents: HedgeEvent[]; seen: Map<string, number>; gone: Set<string> }> => {
      const seen = new Map<string, number>();
      const gone = new Set<string>();
      const backends = await servers([backend(seen, delayOf, gone), backend(seen, delayOf, gone), backend(seen, delayOf, gone)]);
      const c = client({ name: 'svc', discovery: backends.map((s) => s.url), picker: roundRobin(), timeout: { attempt: 2_000 }, hedge });
      const events = recordAttempts(c);
      const hedgeEvents: HedgeEvent[] = [];
      c.on('hedge', (e) => hedgeEvents.push(e));
      const latencies = await workload(c, '/tail', N, 8, 9_000);
      return { latencies, backends, c, events, hedgeEvents, seen, gone };
    };

    const plain = await run(false);
    const hedged = await run({ delay: 30 });
    const p99Plain = percentile(plain.latencies, 99);
    const p99Hedged = percentile(hedged.latencies, 99);
    const sentPlain = total(plain.backends, 'requests');
    const sentHedged = total(hedged.backends, 'requests');
    const stats = hedged.c.stats();
    // The slow first attempts that got a hedge (which is fast: no call has two slow requests).
    const slowHedged = slowCalls.map((i) => `/tail/${i}`).filter((path) => (hedged.seen.get(path) ?? 0) >= 2);
    // A server notices a request going away a moment after the client aborts it.
    await until(() => slowHedged.every((path) => hedged.gone.has(`${path}#0`)), 3_000);
    const aborted = total(hedged.backends, 'aborted');
    const cancelled = stats.endpoints.reduce((n, e) => n + e.cancelled, 0);
    // Shown when an assertion below fails.
    const summary = JSON.stringify({
      p50: [percentile(plain.latencies, 50), percentile(hedged.latencies, 50)].map(Math.round),
      p99: [p99Plain, p99Hedged].map(Math.round),
      max: [Math.max(...plain.latencies), Math.max(...hedged.latencies)].map(Math.round),
      requests: [sentPlain, sentHedged], perServer: [plain.backends.map((s) => s.requests.length), hedged.backends.map((s) => s.requests.length)],
      hedges: stats.hedges, cancelled, aborted: [total(plain.backends, 'aborted'), aborted],
      hedgeAfter: hedged.hedgeEvents.map((e) => Math.round(e.after)).join(' '),
    });

    // Without hedging the slow 3 % set p99; every request was sent once and none went away.
    expect(p99Plain, summary).toBeGreaterThanOrEqual(SLOW_MS - 10);
    expect(sentPlain).toBe(N);
    expect(total(plain.backends, 'aborted')).toBe(0);
    expect(plain.c.stats().hedges).toEqual({ sent: 0, won: 0 });
    for (const s of plain.backends) expect(s.requests.length).toBeGreaterThan(N / 3 - 5);

    // With hedging after 30 ms: p99 at least 5× smaller, at most 7 % more requests.
    expect(p99Hedged * 5, summary).toBeLessThanOrEqual(p99Plain);
    expect(sentHedged / N, summary).toBeLessThanOrEqual(1.07);
    expect(stats.calls.started).toBe(N);
    expect(stats.calls.succeeded).toBe(N);
    expect(stats.hedges.won).toBeGreaterThan(0);
    // Nearly every slow call was hedged and won by its hedge (a stall's accidental hedges may take a slot of the budget).
    expect(stats.hedges.won, summary).toBeGreaterThanOrEqual(0.8 * slowCalls.length);
    expect(stats.hedges.sent).toBeGreaterThanOrEqual(stats.hedges.won);
    for (const e of hedged.hedgeEvents) expect(e.after).toBeGreaterThanOrEqual(30);
    // Every slow first attempt that was hedged lost to its hedge: it was aborted and its server saw it go.
    expect(slowHedged.length, summary).toBeGreaterThanOrEqual(0.8 * slowCalls.length);
    expect(slowHedged.filter((path) => !hedged.gone.has(`${path}#0`)), summary).toEqual([]);
    expect(aborted, summary).toBeLessThanOrEqual(cancelled);
    expect(cancelled).toBe(stats.hedges.sent);
    expectBooksBalance(hedged.c, hedged.events, hedged.backends);
    expectBooksBalance(plain.c, plain.events, plain.backends);
  });
});

describe('what is hedged', () => {
  it('never a POST, nor a GET with idempotent: false or hedge: false', async () => {
    const seen = new Map<string, number>();
    const slow = backend(seen, () => 250);
    const backends = await servers([slow, slow, slow]);
    // maxExtraLoad 1: the budget allows a hedge for every call, so only the request's kind stops one.
    const c = client({ name: 'svc', discovery: backends.map((s) => s.url), picker: roundRobin(), hedge: { delay: 10, maxExtraLoad: 1 } });
    const events = recordAttempts(c);
    const calls: Promise<number>[] = [];
    for (let i = 0; i < 4; i++) calls.push(timedGet(c, `/post/${i}`, { method: 'POST', body: `payload ${i}` }));
    for (let i = 0; i < 4; i++) calls.push(timedGet(c, `/not-idempotent/${i}`, { idempotent: false }));
    for (let i = 0; i < 4; i++) calls.push(timedGet(c, `/no-hedge/${i}`, { hedge: false }));
    const latencies = await Promise.all(calls);
    expect(c.stats().hedges).toEqual({ sent: 0, won: 0 });
    expect(total(backends, 'requests')).toBe(12);
    // Each call sent exactly one request.
    expect([...seen.values()]).toEqual(Array.from({ length: 12 }, () => 1));
    expect(backends.flatMap((s) => s.requests).filter((r) => r.method === 'POST').length).toBe(4);
    for (const l of latencies) expect(l).toBeGreaterThanOrEqual(240);

    // The control: the same client hedges a plain GET to the same slow servers.
    for (let i = 0; i < 3; i++) await timedGet(c, `/get/${i}`);
    expect(c.stats().hedges.sent).toBe(3);
    expect(total(backends, 'requests')).toBe(12 + 6);
    for (let i = 0; i < 3; i++) expect(seen.get(`/get/${i}`)).toBe(2);
    expectBooksBalance(c, events, backends);
  });
});

describe('the hedge budget', () => {
  it('every request slow: hedges stay within 5 % of calls (plus a floor of 2)', async () => {
    const seen = new Map<string, number>();
    const slow = backend(seen, () => 200);
    const backends = await servers([slow, slow, slow]);
    const c = client({ name: 'svc', discovery: backends.map((s) => s.url), picker: roundRobin(), hedge: { delay: 10, maxExtraLoad: 0.05 } });
    const events = recordAttempts(c);
    const N = 100;
    const started = performance.now();
    await workload(c, '/budget', N, 20, 10_000);
    const took = performance.now() - started;
    const stats = c.stats();
    const extra = total(backends, 'requests') - N;
    expect(took).toBeLessThan(5_000);
    // Every call was past the hedge delay, so only the budget held hedges back; it let some through.
    expect(stats.hedges.sent).toBeGreaterThan(0);
    expect(stats.hedges.sent).toBeLessThanOrEqual(0.05 * N + 2);
    expect(extra).toBeLessThanOrEqual(0.05 * N + 2);
    expect(extra).toBeLessThanOrEqual(stats.hedges.sent);
    expectBooksBalance(c, events, backends);
  });
});

describe('a percentile hedge delay', () => {
  it("'p90': no hedge before 20 samples; then calls slower than the observed p90 are hedged", async () => {
    const SLOW_MS = 400;
    const slowCalls = new Set([4, 19, 60, 71, 82, 93, 104]);
    const random = mulberry32(7);
    const fast = Array.from({ length: 120 }, () => 1 + Math.floor(random() * 4));
    const seen = new Map<string, number>();
    const delayOf = (path: string, nth: number): number => {
      const i = indexOf(path);
      return nth === 0 && slowCalls.has(i) ? SLOW_MS : fast[i]!;
    };
    const backends = await servers([backend(seen, delayOf), backend(seen, delayOf), backend(seen, delayOf)]);
    const c = client({ name: 'svc', discovery: backends.map((s) => s.url), picker: roundRobin(), hedge: { delay: 'p90', maxExtraLoad: 1 } });
    const events = recordAttempts(c);
    const hedgeEvents: HedgeEvent[] = [];
    c.on('hedge', (e) => hedgeEvents.push(e));
    const latency: number[] = [];
    const call = async (i: number): Promise<void> => { latency[i] = await timedGet(c, `/p/${i}`); };

    // Calls 0–19 meet at most 19 successful samples: no percentile yet, so no hedge, even for the slow calls 4 and 19.
    for (let i = 0; i < 20; i++) await call(i);
    expect(c.stats().hedges.sent).toBe(0);
    expect(latency[4]).toBeGreaterThanOrEqual(SLOW_MS - 10);
    expect(latency[19]).toBeGreaterThanOrEqual(SLOW_MS - 10);
    expect(total(backends, 'requests')).toBe(20);

    // 40 fast calls: only the few slower than p90 of what came before are hedged.
    for (let i = 20; i < 60; i++) await call(i);
    const spurious = c.stats().hedges.sent;

    // Each slow call among fast ones is hedged once it passed p90, and the hedge answers it.
    const slowResults: { i: number; latency: number; after: number; won: boolean; p90: number }[] = [];
    for (let i = 60; i < 110; i++) {
      const before = c.stats().hedges;
      const p90 = percentile(events.filter((e) => e.verdict === 'success').map((e) => e.latency), 90);
      const eventsBefore = hedgeEvents.length;
      await call(i);
      if (!slowCalls.has(i)) continue;
      const after = c.stats().hedges;
      expect(after.sent).toBe(before.sent + 1);
      expect(hedgeEvents.length).toBe(eventsBefore + 1);
      slowResults.push({ i, latency: latency[i]!, after: hedgeEvents.at(-1)!.after, won: after.won === before.won + 1, p90 });
    }
    const summary = JSON.stringify({ spurious, slowResults, hedges: c.stats().hedges });
    expect(slowResults.length).toBe(5);
    for (const r of slowResults) {
      expect(r.won, summary).toBe(true);
      expect(r.latency).toBeLessThan(SLOW_MS - 100);
      // The hedge went out once p90 (of a snapshot of the window up to 32 samples old) had passed, not before.
      expect(r.after).toBeGreaterThanOrEqual(0.5 * r.p90);
      expect(r.after).toBeLessThan(100);
    }
    // About 10 % of fast calls are slower than p90; allow noise, but not hedging everything.
    expect(spurious).toBeLessThanOrEqual(12);
    expectBooksBalance(c, events, backends);
  });
});

describe('where a hedge goes', () => {
  it('to an endpoint the call has not tried, with any picker', async () => {
    for (const makePicker of [() => roundRobin(), () => undefined]) {
      for (const size of [2, 3]) {
        const seen = new Map<string, number>();
        const delayOf = (_path: string, nth: number): number => (nth === 0 ? 300 : 1);
        const backends = await servers(Array.from({ length: size }, () => backend(seen, delayOf)));
        const c = client({ name: 'svc', discovery: backends.map((s) => s.url), picker: makePicker(), hedge: { delay: 10, maxExtraLoad: 1 } });
        const events = recordAttempts(c);
        const hedgeEvents: HedgeEvent[] = [];
        c.on('hedge', (e) => hedgeEvents.push(e));
        for (let i = 0; i < 8; i++) {
          const latency = await timedGet(c, `/u/${i}`);
          expect(latency).toBeLessThan(200);
          // Both requests of the call reached the servers, each at a different one.
          const where = backends.filter((s) => s.requests.some((r) => r.path === `/u/${i}`));
          expect(where.length).toBe(2);
          const callEvents = events.slice(-2);
          expect(callEvents.map((e) => e.hedge).sort()).toEqual([false, true]);
          const first = callEvents.find((e) => !e.hedge)!;
          const hedge = callEvents.find((e) => e.hedge)!;
          expect(first.verdict).toBe('cancelled');
          expect(hedge.verdict).toBe('success');
          expect(hedge.endpoint.url).not.toBe(first.endpoint.url);
          expect(hedgeEvents.at(-1)!.endpoint.url).toBe(hedge.endpoint.url);
        }
        expect(c.stats().hedges).toEqual({ sent: 8, won: 8 });
        await until(() => total(backends, 'aborted') >= 8);
        expect(total(backends, 'aborted')).toBe(8);
        expectBooksBalance(c, events, backends);
      }
    }
  });

  it('with a single endpoint no hedge is sent', async () => {
    const seen = new Map<string, number>();
    const backends = await servers([backend(seen, () => 100)]);
    const c = client({ name: 'svc', discovery: [backends[0]!.url], hedge: { delay: 10, maxExtraLoad: 1 } });
    const events = recordAttempts(c);
    const latencies = await Promise.all(Array.from({ length: 5 }, (_, i) => timedGet(c, `/one/${i}`)));
    for (const l of latencies) expect(l).toBeGreaterThanOrEqual(90);
    expect(c.stats().hedges).toEqual({ sent: 0, won: 0 });
    expect(backends[0]!.requests.length).toBe(5);
    expect(backends[0]!.aborted).toBe(0);
    expectBooksBalance(c, events, backends);
  });
});

describe('a hedged fetch returns the response it got', () => {
  it('a 503 from the first attempt, then a hedge whose connection is reset: the call resolves with the 503, as it does without hedging', async () => {
    const busy: Handler = (req, res) => { req.resume(); setTimeout(() => res.writeHead(503).end('busy'), 50); };
    const broken: Handler = (req) => { req.resume(); setTimeout(() => req.socket.destroy(), 100); };
    const [a, b] = await servers([busy, broken]);
    for (const hedge of [false, { delay: 10, maxExtraLoad: 1 }] as const) {
      const c = client({ name: 'svc', discovery: [a!.url, b!.url], picker: roundRobin({ random: () => 0 }), retry: { attempts: 2 }, hedge });
      const res = await c.fetch('/x');
      expect(res.status, `hedge: ${JSON.stringify(hedge)}`).toBe(503);
      expect(c.stats().attempts).toBe(2);
    }
  });
});
