// A seeded, bounded scenario generator for the whole call pipeline (test/pipeline/fuzz-invariants.test.ts), driven through the public
// API only (createClient, execute, fetch with an injected fetch, reconfigure, close, events,
// stats()) on a fake clock. `runScenario(seed)` returns the list of invariant violations.
import { ConsecutiveBreaker } from 'cockatiel';
import {
  BulwarkError, CircuitOpenError, createClient, leastRequest, peakEwma, random as randomPicker, ringHash, roundRobin, TimeoutError, weightedRoundRobin,
  type AttemptContext, type Client, type ClientOptions, type EndpointInit, type Endpoint, type LiveOptions, type Picker,
} from '../../src/index.js';
import { FakeClock, settle } from './fake-clock.js';

import { mulberry32 } from './prng.js';

type R = () => number;
const int = (r: R, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const POOL = ['http://127.0.0.1:1', 'http://127.0.0.1:2', 'http://127.0.0.1:3', 'http://127.0.0.1:4', 'http://127.0.0.1:5'];

/** Errors and abort reasons the scenario itself made: allowed to reach callers as they are. */
const OURS = new WeakSet<object>();
const ours = <E extends object>(e: E): E => { OURS.add(e); return e; };

function netError(r: R): Error {
  const kind = int(r, 0, 2);
  if (kind === 0) return ours(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', syscall: 'connect' }));
  if (kind === 1) return ours(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
  return ours(new Error('plain failure'));
}

interface Sent { attemptNo?: number; call: number; t: number; deadline: number; minAttempt: number; afterClose: boolean; abortedAt?: number; abortReason?: unknown }

export interface Knobs {
  fetchShare?: number;
  closeShare?: number;
  reconfigureShare?: number;
  discoveryShare?: number;
  reentrantShare?: number;
}

export async function runScenario(seed: number, knobs: Knobs = {}): Promise<string[]> {
  const clock = new FakeClock();
  const realRandom = Math.random;
  Math.random = mulberry32(seed * 7 + 1);
  try {
    return await scenarioBody(seed, knobs, clock);
  } finally {
    Math.random = realRandom;
  }
}

async function scenarioBody(seed: number, knobs: Knobs, clock: FakeClock): Promise<string[]> {
  const r = mulberry32(seed);
  const problems: string[] = [];
  const fail = (msg: string): void => { problems.push(`seed ${seed}: ${msg}`); };

  // ---- client options
  const attempts = int(r, 1, 4);
  const hedgeOn = attempts > 1 && r() < 0.4;
  const healthOn = r() < 0.6;
  const circuitOn = r() < 0.3;
  const pickerKind = int(r, 0, 5);
  const pr = mulberry32(seed ^ 0x9e3779b9);
  const picker: Picker = [
    () => peakEwma({ random: pr }), () => leastRequest({ random: pr }), () => roundRobin({ random: pr }),
    () => randomPicker({ random: pr }), () => weightedRoundRobin({ random: pr }), () => ringHash({ random: pr, ringSize: 16 }),
  ][pickerKind]!();
  let offered: readonly Endpoint[] = [];
  const customPicker: Picker = {
    name: 'custom',
    update(eps) { offered = eps; },
    pick(req) {
      const x = pr();
      if (x < 0.01) throw ours(new Error('picker bug'));
      const untried = offered.filter((e) => !req.tried.includes(e as never));
      return (untried.length > 0 && x < 0.9 ? untried : offered)[Math.floor(pr() * (untried.length > 0 && x < 0.9 ? untried : offered).length)] as never;
    },
  };
  const given = {
    attempt: int(r, 20, 200),
    total: int(r, 60, 600),
  };
  const retry = attempts === 1 && r() < 0.5 ? false : {
    attempts,
    backoff: { base: int(r, 0, 20), cap: 40 },
    ...(r() < 0.3 ? { budget: false as const } : r() < 0.5 ? { budget: { ratio: 0.1, minPerSecond: 1 } } : {}),
  };
  const initial = POOL.slice(0, int(r, 1, 5)).map((url) => ({ url, w: int(r, 1, 3) }));
  const delayedFirst = r() < 0.15;
  const zoned = r() < 0.3;
  const slow = r() < 0.3;
  const custom = r() < 0.15;
  let push!: (eps: readonly EndpointInit[]) => void;
  let pushError!: (e: unknown) => void;
  let discoveryStopped = false;
  const asInit = (eps: { url: string; w: number }[]): EndpointInit[] => eps.map((e) => {
    const u = new URL(e.url);
    return { host: u.hostname, port: Number(u.port), protocol: 'http', weight: e.w, ...(zoned ? { priority: Number(u.port) % 2, zone: Number(u.port) % 3 === 0 ? 'a' : 'b' } : {}) };
  });
  const options: ClientOptions = {
    name: 'fuzz', clock, picker: custom ? customPicker : picker,
    ...(zoned && healthOn && r() < 0.5 ? { localZone: 'a' } : {}),
    ...(r() < 0.2 ? { waitForEndpoints: true } : {}),
    fetch: ((url: string, init?: RequestInit) => fakeFetch(url, init)) as typeof fetch,
    discovery: {
      watch(update, error) {
        push = update; pushError = error;
        if (!delayedFirst) update(asInit(initial));
        return () => { discoveryStopped = true; };
      },
    },
    timeout: { attempt: given.attempt, total: given.total },
    retry,
    ...(hedgeOn ? { hedge: { delay: r() < 0.3 ? 'p50' as const : int(r, 5, 60), maxExtraLoad: 1 } } : {}),
    health: healthOn ? { breaker: () => new ConsecutiveBreaker(2), ejectionTime: int(r, 20, 200), maxEjectionPercent: 100, ...(slow ? { slowStart: { window: int(r, 50, 300) } } : {}), ...(r() < 0.3 ? { probes: int(r, 1, 3) } : {}) } : false,
    ...(circuitOn ? { circuitBreaker: { breaker: () => new ConsecutiveBreaker(3), halfOpenAfter: int(r, 20, 200) } } : {}),
  };
  let client: Client;
  try {
    client = createClient(options);
  } catch (err) {
    fail(`createClient threw ${String(err)}`);
    return problems;
  }

  // The timeouts new calls get (model of reconfigure).
  let current = { ...given };
  let currentAttemptsAllowHedge = attempts > 1;
  const givenAttempts = retry === false ? 1 : attempts;
  let currentAttempts = givenAttempts;

  // ---- events
  const ev = { attempt: 0, retry: 0, hedge: 0, budgetExhausted: 0, afterClose: 0 };
  const seen = new Set<Endpoint>();
  let closeCalledAt: number | undefined;
  let closeResolved = false;
  client.on('attempt', (e) => { ev.attempt++; seen.add(e.endpoint); if (closeResolved) ev.afterClose++; chaos('attempt'); });
  client.on('retry', () => { ev.retry++; if (closeResolved) ev.afterClose++; chaos('retry'); });
  client.on('hedge', () => { ev.hedge++; if (closeResolved) ev.afterClose++; chaos('hedge'); });
  client.on('health', () => chaos('health'));
  client.on('panic', () => chaos('panic'));
  client.on('circuit', () => chaos('circuit'));
  client.on('budgetExhausted', () => { ev.budgetExhausted++; if (closeResolved) ev.afterClose++; });
  client.on('endpoints', (e) => { for (const x of e.added) seen.add(x); });
  for (const e of client.endpoints()) seen.add(e);

  // ---- calls
  const sent: Sent[] = [];
  interface Call { maxAttempts: number; id: number; t0: number; total: number; attempt: number; settled: number; value?: unknown; error?: unknown; at?: number; kind: 'execute' | 'fetch' }
  const calls: Call[] = [];
  const fetchShare = knobs.fetchShare ?? 0.35;

  const reentrant = r() < (knobs.reentrantShare ?? 0.5);
  const trace = (m: string): void => { if (process.env.FUZZ_TRACE) console.log(`t=${clock.now()} ${m}`); };
  const chaos = (where: string): void => {
    if (!reentrant) return;
    const x = r();
    trace(`chaos in ${where} x=${x.toFixed(3)}`);
    if (x < 0.002) doClose();
    else if (x < 0.06) discoveryChange();
    else if (x < 0.09 && closeCalledAt === undefined) reconfigureNow();
    else if (x < 0.14) { const d = int(r, 0, 80); trace(`stall ${d}`); clock.stall(d); }
    else if (x < 0.17) controllers[int(r, 0, controllers.length)]?.abort(ours(new Error(`aborted in ${where}`)));
    else if (x < 0.19 && closeCalledAt === undefined) startCall();
    else if (x < 0.3) { client.stats(); client.endpoints(); }
  };
  const controllers: AbortController[] = [];
  function behaviour(call: Call, signal: () => AbortSignal, makeValue: () => unknown): unknown {
    chaos('transport');
    const d = int(r, 0, 150);
    const k = int(r, 0, 8);
    switch (k) {
      case 0: return makeValue();
      case 1: throw netError(r);
      case 2: return new Promise((resolve) => clock.setTimer(() => resolve(makeValue()), d));
      case 3: { const e = netError(r); return new Promise((_r, reject) => clock.setTimer(() => reject(e), d)); }
      case 4: { const s = signal(); return new Promise((_r, reject) => { if (s.aborted) reject(s.reason); else s.addEventListener('abort', () => reject(s.reason)); }); }
      case 5: return new Promise(() => {});
      case 6: { // answers only after its signal aborted
        const s = signal();
        return new Promise((resolve) => { const go = (): void => { clock.setTimer(() => resolve(makeValue()), int(r, 0, 5)); }; if (s.aborted) go(); else s.addEventListener('abort', go); });
      }
      case 7: { const e = netError(r); return new Promise((_r, reject) => clock.setTimer(() => reject(e), d)); }
      default: return call.kind === 'execute' ? { then: undefined, value: makeValue() } : makeValue(); // a non-promise object
    }
  }

  function record(call: Call, sig: () => AbortSignal): void {
    const now = clock.now();
    trace(`send call ${call.id} t0=${call.t0} total=${call.total} attempt=${call.attempt}`);
    const s: Sent = {
      call: call.id, t: now, deadline: call.t0 + call.total,
      minAttempt: Math.min(call.attempt, call.t0 + call.total - now), afterClose: closeCalledAt !== undefined,
    };
    sent.push(s);
    const signal = sig();
    const onAbort = (): void => { trace(`abort call ${call.id} sent ${now}: ${String(signal.reason)}`); s.abortedAt = clock.now(); s.abortReason = signal.reason; };
    if (signal.aborted) onAbort(); else signal.addEventListener('abort', onAbort);
  }

  const fakeFetch = (async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const id = Number(new URL(String(url)).searchParams.get('call'));
    const call = calls[id]!;
    const signal = init!.signal!;
    record(call, () => signal);
    const status = pick(r, [200, 200, 200, 404, 429, 500, 502, 503, 503]);
    const headers: Record<string, string> = {};
    if ((status === 503 || status === 429) && r() < 0.3) headers['retry-after'] = String(int(r, 0, 1));
    const make = (): Response => new Response(`call ${id}`, { status, headers });
    const v = behaviour(call, () => signal, make);
    return v as Promise<Response>;
  }) as typeof fetch;

  function startCall(): void {
    const id = calls.length;
    const kind: Call['kind'] = r() < fetchShare ? 'fetch' : 'execute';
    const perCallTimeout = r() < 0.25 ? { attempt: int(r, 10, 200), total: int(r, 30, 500) } : undefined;
    const call: Call = { maxAttempts: currentAttempts, id, t0: clock.now(), total: perCallTimeout?.total ?? current.total, attempt: perCallTimeout?.attempt ?? current.attempt, settled: 0, kind };
    calls.push(call);
    const controller = r() < 0.25 ? new AbortController() : undefined;
    if (controller !== undefined) {
      controllers.push(controller);
      const reason = ours(new Error(`caller ${id} gave up`));
      if (r() < 0.1) controller.abort(reason);
      else clock.setTimer(() => controller.abort(reason), int(r, 0, 300));
    }
    const opts: Record<string, unknown> = {};
    if (perCallTimeout) opts.timeout = perCallTimeout;
    if (controller) opts.signal = controller.signal;
    if (r() < 0.3) opts.key = `k${int(r, 0, 9)}`;
    if (r() < 0.2) opts.idempotent = r() < 0.5;
    if (r() < 0.15) opts.hedge = currentAttemptsAllowHedge && r() < 0.7 ? { delay: int(r, 0, 50), maxExtraLoad: 1 } : false;
    if (r() < 0.2) {
      const mode = int(r, 0, 4);
      opts.classify = (o: { ok: boolean }) => {
        if (mode === 4 && r() < 0.2) throw ours(new Error('classify bug'));
        return mode === 0 ? 'retry' : mode === 1 ? 'failure' : mode === 2 ? (o.ok ? 'success' : undefined) : undefined;
      };
    }
    let p: Promise<unknown>;
    if (kind === 'execute') {
      const fn = (endpoint: Endpoint, ctx: AttemptContext): unknown => {
        record(call, () => ctx.signal);
        sent[sent.length - 1]!.attemptNo = ctx.attempt;
        return behaviour(call, () => ctx.signal, () => ({ call: id, attempt: ctx.attempt, endpoint: endpoint.id }));
      };
      p = client.execute(fn, Object.keys(opts).length === 0 && r() < 0.5 ? undefined : opts as never);
    } else {
      const init: Record<string, unknown> = { ...opts, method: pick(r, ['GET', 'GET', 'POST', 'PUT']) };
      p = client.fetch(`/x?call=${id}`, init as never);
    }
    p.then((v) => { call.settled++; call.value = v; call.at = clock.now(); }, (e: unknown) => { call.settled++; call.error = e; call.at = clock.now(); });
  }

  // ---- mid-flight actions
  function discoveryChange(): void {
    const k = int(r, 0, 9);
    if (k === 0) { push([]); return; }
    if (k === 1) { pushError(ours(new Error('registry down'))); return; }
    const set = POOL.filter(() => r() < 0.6).map((url) => ({ url, w: int(r, 1, 3) }));
    push(asInit(set.length === 0 ? [{ url: POOL[0]!, w: 1 }] : set));
  }
  function reconfigureNow(): void {
    const k = int(r, 0, 6);
    let doc: LiveOptions;
    let next = current;
    let allowHedge = currentAttemptsAllowHedge;
    if (k === 0) { doc = {}; next = { ...given }; allowHedge = attempts > 1; }
    else if (k === 1) { const t = { attempt: int(r, 10, 200), total: int(r, 30, 600) }; doc = { timeout: t }; next = t; }
    else if (k === 2) { doc = { retry: false, hedge: false }; allowHedge = false; }
    else if (k === 3) { const a = int(r, 1, 4); doc = { retry: { attempts: a, backoff: { base: int(r, 0, 20), cap: 40 } }, hedge: false }; allowHedge = a > 1; }
    else if (k === 4) { doc = { hedge: { delay: int(r, 0, 60), maxExtraLoad: 1 } }; }
    else if (k === 5) { doc = healthOn ? { health: { ejectionTime: int(r, 10, 100), maxEjectionPercent: int(r, 0, 100), panicThreshold: int(r, 0, 100) } } : { hedge: false }; }
    else { doc = { retry: { attempts: 1 }, hedge: { delay: 5 } }; } // invalid
    trace(`reconfigure ${JSON.stringify(doc)}`);
    const saved = { current, currentAttempts, currentAttemptsAllowHedge };
    // The model changes first: a listener of the events this document causes may reconfigure again.
    current = doc.timeout === undefined ? { ...given } : next;
    currentAttempts = doc.retry === undefined ? givenAttempts : doc.retry === false ? 1 : doc.retry.attempts ?? 3;
    if (doc.retry !== undefined || doc.hedge !== undefined || k === 0) currentAttemptsAllowHedge = allowHedge;
    if (doc.retry === undefined && k !== 0) currentAttemptsAllowHedge = doc.hedge === undefined ? currentAttemptsAllowHedge : attempts > 1;
    try {
      client.reconfigure(doc);
    } catch (err) {
      if (!(err instanceof BulwarkError) || (err as { code?: string }).code === 'ERR_BULWARK_CONFIG') ({ current, currentAttempts, currentAttemptsAllowHedge } = saved);
      if (!(err instanceof BulwarkError)) fail(`reconfigure threw a non-bulwark error: ${String(err)}`);
      if (k !== 6 && err instanceof BulwarkError && (err as { code?: string }).code !== 'ERR_BULWARK_CONFIG') fail(`reconfigure threw ${String(err)}`);
    }
  }

  // ---- drive
  const closeAt = r() < (knobs.closeShare ?? 0.5) ? int(r, 0, 900) : Infinity;
  let closePromise: Promise<void> | undefined;
  const doClose = (): void => {
    if (closeCalledAt !== undefined) return;
    closeCalledAt = clock.now();
    closePromise = client.close();
    void closePromise.then(() => { closeResolved = true; });
  };
  if (delayedFirst) clock.setTimer(() => { if (r() < 0.3) pushError(ours(new Error('first refresh failed'))); push(asInit(initial)); }, int(r, 0, 200));
  for (let t = 0; t < 1_000; t += int(r, 0, 50)) {
    if (t >= closeAt) doClose();
    if (r() < (knobs.discoveryShare ?? 0.08)) discoveryChange();
    if (closeCalledAt === undefined && r() < (knobs.reconfigureShare ?? 0.06)) reconfigureNow();
    startCall();
    await clock.advance(int(r, 0, 40));
  }
  await clock.advance(3_000);
  doClose();
  await closePromise;
  await settle();
  const afterClose = client.stats();
  await clock.advance(3_000);
  await settle();

  // ---- invariants
  const s = client.stats();
  for (const c of calls) {
    if (c.settled !== 1) fail(`call ${c.id} (${c.kind}) settled ${c.settled} times`);
    const e = c.error;
    if (c.settled === 1 && e !== undefined && !(e instanceof BulwarkError) && !(typeof e === 'object' && e !== null && OURS.has(e))) {
      fail(`call ${c.id} (${c.kind}) rejected with a raw error: ${String(e)} ${(e as Error)?.stack?.split('\n').slice(0, 3).join(' | ')}`);
    }
    if (e instanceof TimeoutError && e.scope === 'total' && c.at! < c.t0 + Math.min(c.total, 0) + 0) fail(`call ${c.id} timed out at negative time`);
    if (e instanceof TimeoutError && e.scope === 'total' && c.at! < c.t0 + e.timeout) fail(`call ${c.id} total timeout fired early: at ${c.at} started ${c.t0} timeout ${e.timeout}`);
    if (c.kind === 'execute' && c.value !== undefined) {
      const v = c.value as { call?: number; value?: { call: number } };
      const owner = v.call ?? v.value?.call;
      if (owner !== c.id) fail(`call ${c.id} resolved with another call's value ${JSON.stringify(c.value)}`);
    }
    if (c.kind === 'fetch' && c.value !== undefined && !(c.value instanceof Response)) fail(`fetch call ${c.id} resolved with a non-Response`);
  }
  for (const c of calls) {
    const mine = sent.filter((x) => x.call === c.id);
    if (mine.length > c.maxAttempts) fail(`call ${c.id} sent ${mine.length} attempts, limit ${c.maxAttempts}`);
    const nos = mine.map((x) => x.attemptNo).filter((n) => n !== undefined) as number[];
    for (let i = 1; i < nos.length; i++) if (nos[i]! <= nos[i - 1]!) fail(`call ${c.id} attempt numbers not increasing: ${nos.join(',')}`);
    if (nos.some((n) => n > c.maxAttempts)) fail(`call ${c.id} attempt number beyond its limit ${c.maxAttempts}: ${nos.join(',')}`);
  }
  for (const x of sent) {
    if (x.afterClose) fail(`an attempt of call ${x.call} started at ${x.t}, after close() at ${closeCalledAt}`);
    if (x.t >= x.deadline) fail(`an attempt of call ${x.call} started at ${x.t}, at or past its deadline ${x.deadline}`);
    if (x.abortReason instanceof TimeoutError && x.abortedAt! < x.t + x.minAttempt) fail(`an attempt of call ${x.call} sent at ${x.t} timed out early at ${x.abortedAt} (min ${x.minAttempt})`);
  }
  if (s.calls.succeeded + s.calls.failed !== s.calls.started) fail(`calls: started ${s.calls.started} != succeeded ${s.calls.succeeded} + failed ${s.calls.failed}`);
  if (s.calls.inflight !== 0) fail(`calls.inflight ${s.calls.inflight}`);
  if (s.attempts !== ev.attempt) fail(`stats.attempts ${s.attempts} != attempt events ${ev.attempt}`);
  if (s.retries !== ev.retry) fail(`stats.retries ${s.retries} != retry events ${ev.retry}`);
  if (s.hedges.sent !== ev.hedge) fail(`stats.hedges.sent ${s.hedges.sent} != hedge events ${ev.hedge}`);
  if (s.hedges.won > s.hedges.sent) fail(`hedges.won ${s.hedges.won} > sent ${s.hedges.sent}`);
  if (s.budgetExhausted !== ev.budgetExhausted) fail(`stats.budgetExhausted ${s.budgetExhausted} != events ${ev.budgetExhausted}`);
  if (sent.length > s.attempts) fail(`transport ran ${sent.length} times but stats.attempts ${s.attempts}`);
  let sum = 0;
  for (const e of seen) {
    const st = e as unknown as { successes: number; failures: number; cancelled: number; inflight: number };
    sum += st.successes + st.failures + st.cancelled + st.inflight;
    if (st.inflight !== 0) fail(`endpoint ${e.id} inflight ${st.inflight}`);
  }
  if (sum !== s.attempts) fail(`sum over endpoints ${sum} != attempts ${s.attempts}`);
  for (const e of s.endpoints) if (e.inflight !== 0) fail(`stats endpoint ${e.id} inflight ${e.inflight}`);
  if (circuitOn) {
    const refused = calls.filter((c) => c.error instanceof CircuitOpenError).length;
    if (s.circuit?.rejected !== refused) fail(`circuit.rejected ${s.circuit?.rejected} != calls refused ${refused}`);
  }
  if (ev.afterClose > 0) fail(`${ev.afterClose} events after close() resolved`);
  const books = (x: typeof s): string => JSON.stringify([x.calls, x.attempts, x.retries, x.hedges, x.budgetExhausted, x.endpoints.map((e) => [e.id, e.successes, e.failures, e.cancelled, e.inflight])]);
  if (books(afterClose) !== books(s)) fail(`stats changed after close(): ${JSON.stringify(afterClose.calls)} -> ${JSON.stringify(s.calls)}`);
  if (!discoveryStopped) fail('discovery not stopped');
  if (clock.pending !== 0) fail(`${clock.pending} timers pending after close()`);
  if (process.env.FUZZ_DEBUG) {
    const kinds: Record<string, number> = {};
    for (const c of calls) { const k = c.error === undefined ? 'ok' : (c.error as Error).constructor.name + ((c.error as { scope?: string }).scope ?? ''); kinds[k] = (kinds[k] ?? 0) + 1; }
    console.log(seed, JSON.stringify({ attempts: s.attempts, retries: s.retries, hedges: s.hedges, be: s.budgetExhausted, circuit: s.circuit, sent: sent.length, kinds }));
  }
  return problems;
}
