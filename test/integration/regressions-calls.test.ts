// Regression tests for defects of the issue "calls: bad per-call options, rogue pickers, stats and
// network errors" (items 1, 2, 5, 6 and 9), on real servers on 127.0.0.1.
import { describe, expect, it } from 'vitest';
import {
  ConfigError, createClient, PluginError, RequestFailedError, ringHash, roundRobin,
  type AttemptEvent, type Discovery, type EndpointInit, type EndpointState, type Picker,
} from '../../src/index.js';
import { closedPort, hang, ok, reset, status } from '../helpers/servers.js';
import { closeAfterEach } from '../helpers/lifecycle.js';

const { track, servers } = closeAfterEach();
const settle = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('1. a signal that is not an AbortSignal', () => {
  for (const [label, bad] of [['{ aborted: false }', { aborted: false }], ['a string', 'stop']] as const) {
    it(`fetch and execute reject with ConfigError(path 'signal') for ${label}; nothing is sent and no call is counted`, async () => {
      const [server] = await servers(ok());
      const client = track(createClient({ name: 'svc', discovery: [server!.url] }));
      const fetchErr = await client.fetch('/x', { signal: bad as unknown as AbortSignal }).catch((e: unknown) => e);
      expect(fetchErr).toBeInstanceOf(ConfigError);
      expect(fetchErr).toMatchObject({ code: 'ERR_BULWARK_CONFIG', path: 'signal', service: 'svc' });
      let ran = 0;
      const execErr = await client.execute(async () => { ran++; return 1; }, { signal: bad as unknown as AbortSignal }).catch((e: unknown) => e);
      expect(execErr).toBeInstanceOf(ConfigError);
      expect(execErr).toMatchObject({ code: 'ERR_BULWARK_CONFIG', path: 'signal' });
      expect(ran).toBe(0);
      await settle();
      expect(server!.requests).toHaveLength(0);
      const { calls, attempts } = client.stats();
      expect(calls).toEqual({ started: 0, succeeded: 0, failed: 0, inflight: 0 });
      expect(attempts).toBe(0);
    });
  }
});

describe("2. a custom picker that returns something it was not given", () => {
  /** A picker that answers `pick` with whatever `choose` returns, given the endpoints it was handed. */
  function rogue(choose: (own: readonly EndpointState[]) => unknown): Picker {
    let own: readonly EndpointState[] = [];
    return { name: 'rogue', update(endpoints) { own = endpoints; }, pick: () => choose(own) as EndpointState | undefined };
  }
  const thrown = new Error('picker bug');
  const cases: [string, (own: readonly EndpointState[], foreign: EndpointState) => unknown][] = [
    ["another client's endpoint", (_own, foreign) => foreign],
    ['{}', () => ({})],
    ['a Promise of one of its own endpoints', (own) => Promise.resolve(own[0])],
    ['an exception', () => { throw thrown; }],
  ];
  for (const [label, choose] of cases) {
    it(`fetch and execute reject with PluginError(plugin 'picker') when pick() gives ${label}; nothing is sent, fn never runs`, async () => {
      const [own, foreignServer] = await servers(ok(), ok());
      const other = track(createClient({ name: 'other', discovery: [foreignServer!.url] }));
      const foreign = other.endpoints()[0] as EndpointState;
      const client = track(createClient({ name: 'svc', discovery: [own!.url], picker: rogue((mine) => choose(mine, foreign)) }));
      const attempts: AttemptEvent[] = [];
      client.on('attempt', (e) => attempts.push(e));

      const fetchErr = await client.fetch('/x').catch((e: unknown) => e);
      let ran = 0;
      const execErr = await client.execute(async () => { ran++; return 'ran'; }).catch((e: unknown) => e);
      await settle();
      expect(foreignServer!.requests).toHaveLength(0);
      expect(own!.requests).toHaveLength(0);
      expect(ran).toBe(0);
      expect(attempts).toHaveLength(0);

      expect(fetchErr).toBeInstanceOf(PluginError);
      expect(fetchErr).toMatchObject({ code: 'ERR_BULWARK_PLUGIN', plugin: 'picker', service: 'svc' });
      if (label === 'an exception') expect((fetchErr as PluginError).cause).toBe(thrown);
      expect(execErr).toBeInstanceOf(PluginError);
      expect(execErr).toMatchObject({ code: 'ERR_BULWARK_PLUGIN', plugin: 'picker' });
      const stats = client.stats();
      expect(stats.attempts).toBe(0);
      expect(stats.calls).toEqual({ started: 2, succeeded: 0, failed: 2, inflight: 0 });
      // The foreign client's books are untouched too.
      expect(other.stats().endpoints[0]).toMatchObject({ inflight: 0, successes: 0, failures: 0 });
    });
  }

  // A picker that keeps a stale endpoint must not send the request to a host discovery removed.
  it("fetch rejects with PluginError(plugin 'picker') when pick() gives an endpoint discovery has removed; nothing is sent", async () => {
    const [removed, current] = await servers(ok(), ok());
    let stale: EndpointState | undefined;
    const sticky: Picker = { name: 'sticky', update(endpoints) { stale ??= endpoints[0]; }, pick: () => stale };
    let push!: (list: readonly EndpointInit[]) => void;
    const discovery: Discovery = { watch(update) { push = update; return () => {}; } };
    const client = track(createClient({ name: 'svc', discovery, picker: sticky }));
    push([removed!.url]);
    push([current!.url]);
    expect(client.endpoints().map((e) => e.id)).toEqual([current!.url]);
    const err = await client.fetch('/x').catch((e: unknown) => e);
    await settle();
    expect(removed!.requests).toHaveLength(0);
    expect(err).toBeInstanceOf(PluginError);
    expect(err).toMatchObject({ plugin: 'picker' });
  });
});

describe('5. stats().calls counts a call that ended on a 5xx response as failed', () => {
  it('a fetch that resolves with a 503 (retry: false) counts in calls.failed, not succeeded', async () => {
    const [s503] = await servers(status(503));
    const client = track(createClient({ name: 'svc', discovery: [s503!.url], retry: false }));
    const res = await client.fetch('/x');
    expect(res.status).toBe(503);
    await res.text();
    expect(client.stats().calls).toEqual({ started: 1, succeeded: 0, failed: 1, inflight: 0 });
  });

  it('a fetch that resolves with a 500 counts in calls.failed; a 200 and a 404 count in calls.succeeded', async () => {
    const [s500, s200, s404] = await servers(status(500), ok(), status(404));
    const client = track(createClient({ name: 'svc', discovery: [s500!.url], retry: { budget: false } }));
    const res = await client.fetch('/x');
    expect(res.status).toBe(500);
    await res.text();
    expect(s500!.requests).toHaveLength(1);
    expect(client.stats().calls).toEqual({ started: 1, succeeded: 0, failed: 1, inflight: 0 });
    const good = track(createClient({ name: 'good', discovery: [s200!.url] }));
    await (await good.fetch('/x')).text();
    const missing = track(createClient({ name: 'missing', discovery: [s404!.url] }));
    expect((await missing.fetch('/x')).status).toBe(404);
    expect(good.stats().calls).toEqual({ started: 1, succeeded: 1, failed: 0, inflight: 0 });
    expect(missing.stats().calls).toEqual({ started: 1, succeeded: 1, failed: 0, inflight: 0 });
  });

  it('a fetch that resolves with the last 503 after its retries counts in calls.failed', async () => {
    const all = await servers(status(503), status(503), status(503));
    const client = track(createClient({ name: 'svc', discovery: all.map((s) => s.url), retry: { budget: false } }));
    const res = await client.fetch('/x');
    expect(res.status).toBe(503);
    await res.text();
    const stats = client.stats();
    expect(stats.attempts).toBe(3);
    expect(stats.calls).toEqual({ started: 1, succeeded: 0, failed: 1, inflight: 0 });
  });
});

describe('6. a network failure after retries reaches the caller as RequestFailedError', () => {
  it('rejects with RequestFailedError naming service, last endpoint and every attempt, with the TypeError as cause', async () => {
    const dead = [await closedPort(), await closedPort(), await closedPort()];
    const client = track(createClient({ name: 'svc', discovery: dead, picker: roundRobin({ random: () => 0 }), retry: { budget: false } }));
    const tried: string[] = [];
    client.on('attempt', (e) => tried.push(e.endpoint.id));
    const err = await client.fetch('/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestFailedError);
    const failed = err as RequestFailedError;
    expect(failed.code).toBe('ERR_BULWARK_REQUEST_FAILED');
    expect(failed.service).toBe('svc');
    expect(tried).toHaveLength(3);
    expect(new Set(tried).size).toBe(3);
    expect(failed.endpoint).toBe(tried[2]);
    expect(failed.attempts.map((a) => ({ endpoint: a.endpoint, reason: a.reason, status: a.status })))
      .toEqual(tried.map((id) => ({ endpoint: id, reason: 'connection refused', status: undefined })));
    expect(failed.cause).toBeInstanceOf(TypeError);
    expect((failed.cause as TypeError).message).toBe('fetch failed');
    expect(client.endpoints().map((e) => e.id).sort()).toEqual([...tried].sort());
  });

  it('a POST whose connection is reset is sent once and rejects with RequestFailedError (one attempt)', async () => {
    const [resetter] = await servers(reset());
    const client = track(createClient({ name: 'svc', discovery: [resetter!.url], retry: { budget: false } }));
    const err = await client.fetch('/x', { method: 'POST', body: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestFailedError);
    expect((err as RequestFailedError).attempts).toHaveLength(1);
    expect((err as RequestFailedError).attempts[0]!.endpoint).toBe(client.endpoints()[0]!.id);
    expect((err as RequestFailedError).cause).toBeInstanceOf(TypeError);
    expect(resetter!.requests).toHaveLength(1);
  });

  it("the caller's abort after a refused attempt still rejects with the caller's own reason, not wrapped", async () => {
    const [hung] = await servers(hang());
    const dead = await closedPort();
    const client = track(createClient({ name: 'svc', discovery: [dead, hung!.url], picker: roundRobin({ random: () => 0 }), retry: { budget: false } }));
    const controller = new AbortController();
    const pending = client.fetch('/x', { signal: controller.signal }).catch((e: unknown) => e);
    for (let i = 0; i < 400 && hung!.requests.length === 0; i++) await settle(5);
    expect(hung!.requests).toHaveLength(1);
    // A TypeError of the caller's own must not be mistaken for fetch's and wrapped.
    const reason = new TypeError('caller gave up');
    controller.abort(reason);
    expect(await pending).toBe(reason);
  });
});

describe('9. the per-call key', () => {
  it('ringHash sends a numeric key to the same endpoint as its decimal string (42 and "42")', async () => {
    const five = await servers(ok(), ok(), ok(), ok(), ok());
    const client = track(createClient({ name: 'svc', discovery: five.map((s) => s.url), picker: ringHash() }));
    const where = async (key: string | number): Promise<string> => (await client.fetch('/k', { key })).text();
    expect(await where(42)).toBe(await where('42'));
    const seen = new Set<string>();
    for (let n = 0; n < 20; n++) {
      const byNumber = await where(n);
      expect(await where(String(n))).toBe(byNumber);
      // The same number twice: sticky, not random.
      expect(await where(n)).toBe(byNumber);
      seen.add(byNumber);
    }
    // Numbers are really hashed (spread over the ring), not all sent to one endpoint.
    expect(seen.size).toBeGreaterThan(1);
  });

  it("a key of another type (an object) rejects fetch and execute with ConfigError(path 'key'); nothing is sent", async () => {
    const [server] = await servers(ok());
    const client = track(createClient({ name: 'svc', discovery: [server!.url], picker: ringHash() }));
    const key = { id: 42 } as unknown as string;
    const fetchErr = await client.fetch('/x', { key }).catch((e: unknown) => e);
    expect(fetchErr).toBeInstanceOf(ConfigError);
    expect(fetchErr).toMatchObject({ code: 'ERR_BULWARK_CONFIG', path: 'key' });
    let ran = 0;
    const execErr = await client.execute(async () => { ran++; }, { key }).catch((e: unknown) => e);
    expect(execErr).toBeInstanceOf(ConfigError);
    expect(execErr).toMatchObject({ path: 'key' });
    expect(ran).toBe(0);
    await settle();
    expect(server!.requests).toHaveLength(0);
    expect(client.stats().calls.started).toBe(0);
  });
});
