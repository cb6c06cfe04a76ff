import { describe, expect, it } from 'vitest';
import { createClient, RequestFailedError, roundRobin, TimeoutError } from '../../src/index.js';
import { closedPort, hang, ok, reset, startResetServer, startServers, status } from '../helpers/servers.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';

const { track, defer } = closeAfterEach();

describe('a broken endpoint among healthy ones costs callers nothing', () => {
  it('a closed port: every call succeeds, retried elsewhere', async () => {
    const healthy = await startServers([ok(), ok()]);
    defer(() => healthy.closeAll());
    const dead = await closedPort();
    const client = track(createClient({ name: 'svc', discovery: [dead, healthy[0]!.url, healthy[1]!.url], picker: roundRobin() }));
    let retries = 0;
    client.on('retry', (e) => { retries++; expect(e.reason).toBe('connection refused'); });
    const attemptReasons = new Set<string>();
    client.on('attempt', (e) => attemptReasons.add(e.reason));
    const ejected: string[] = [];
    client.on('health', (e) => ejected.push(`${e.endpoint.url} ${e.status}`));
    // Round robin sends a third of the calls to the dead port until its breaker opens (5
    // consecutive failures, each retried elsewhere); then it is ejected and gets none.
    for (let i = 0; i < 30; i++) {
      const res = await client.fetch('/x');
      expect(res.status).toBe(200);
      await res.text();
    }
    expect(retries).toBe(5);
    expect(ejected).toEqual([`${dead} ejected`]);
    expect([...attemptReasons].sort()).toEqual(['connection refused', 'status 200']);
  });

  it('a server that resets connections: GETs succeed elsewhere', async () => {
    const healthy = await startServers([ok(), ok()]);
    defer(() => healthy.closeAll());
    const resetter = track(await startResetServer());
    const midRequest = await startServers([reset()]);
    defer(() => midRequest.closeAll());
    const client = track(createClient({
      name: 'svc', discovery: [resetter.url, midRequest[0]!.url, healthy[0]!.url, healthy[1]!.url], picker: roundRobin(),
    }));
    // One call at a time: round robin then costs at most two retries every two calls, 8 in
    // all, within the budget's floor of 10 a second.
    for (let i = 0; i < 8; i++) {
      const res = await client.fetch('/x');
      expect(res.status).toBe(200);
      await res.text();
    }
    expect(midRequest[0]!.requests.length).toBeGreaterThan(0);
  });

  it('a hung server trips the attempt timeout and the call goes elsewhere', async () => {
    const servers = await startServers([hang(), ok()]);
    defer(() => servers.closeAll());
    const client = track(createClient({
      name: 'svc', discovery: servers.map((s) => s.url), picker: roundRobin(), timeout: { attempt: 150, total: 5_000 },
    }));
    const reasons: string[] = [];
    client.on('retry', (e) => reasons.push(e.reason));
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 6 }, async () => (await client.fetch('/x')).status));
    expect(results).toEqual([200, 200, 200, 200, 200, 200]);
    expect(reasons.length).toBe(3);
    expect(reasons.every((r) => r === 'attempt timeout')).toBe(true);
    expect(performance.now() - started).toBeLessThan(2_000);
    // The hung server saw each abandoned request go away.
    await until(() => servers[0]!.aborted >= 3);
    expect(servers[0]!.aborted).toBe(3);
  });
});

describe('deadlines', () => {
  it('the total deadline rejects with TimeoutError(total) on time', async () => {
    const servers = await startServers([hang(), hang()]);
    defer(() => servers.closeAll());
    const client = track(createClient({ name: 'svc', discovery: servers.map((s) => s.url), timeout: { attempt: 10_000, total: 300 } }));
    const started = performance.now();
    const err = await client.fetch('/slow').catch((e: unknown) => e);
    const took = performance.now() - started;
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).scope).toBe('total');
    expect((err as TimeoutError).code).toBe('ERR_BULWARK_TIMEOUT');
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1_000);
  });

  it('a per-call timeout overrides the client default', async () => {
    const servers = await startServers([hang()]);
    defer(() => servers.closeAll());
    const client = track(createClient({ name: 'svc', discovery: [servers[0]!.url] }));
    const err = await client.fetch('/x', { timeout: { total: 100 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
  });

  it('an attempt timeout on a non-idempotent request is not retried', async () => {
    const servers = await startServers([hang(), hang()]);
    defer(() => servers.closeAll());
    const client = track(createClient({ name: 'svc', discovery: servers.map((s) => s.url), timeout: { attempt: 100, total: 5_000 } }));
    const err = await client.fetch('/x', { method: 'POST', body: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).scope).toBe('attempt');
    expect(servers[0]!.requests.length + servers[1]!.requests.length).toBe(1);
  });
});

describe('what is retried', () => {
  it('POST is not retried after a 503', async () => {
    const servers = await startServers([status(503), status(503)]);
    defer(() => servers.closeAll());
    const client = track(createClient({ name: 'svc', discovery: servers.map((s) => s.url), retry: { budget: false } }));
    const res = await client.fetch('/x', { method: 'POST', body: '{}' });
    expect(res.status).toBe(503);
    expect(servers[0]!.requests.length + servers[1]!.requests.length).toBe(1);
  });

  it('POST is retried after a connection refusal', async () => {
    const servers = await startServers([ok()]);
    defer(() => servers.closeAll());
    const dead = await closedPort();
    const client = track(createClient({ name: 'svc', discovery: [dead, servers[0]!.url], picker: roundRobin() }));
    for (let i = 0; i < 4; i++) {
      const res = await client.fetch('/x', { method: 'POST', body: 'payload' });
      expect(res.status).toBe(200);
    }
    expect(servers[0]!.requests.every((r) => r.method === 'POST')).toBe(true);
    expect(servers[0]!.requests.length).toBe(4);
  });

  it('GET is retried after a 503 on another endpoint; idempotent: true makes POST retryable', async () => {
    const servers = await startServers([status(503), ok()]);
    defer(() => servers.closeAll());
    const client = track(createClient({ name: 'svc', discovery: servers.map((s) => s.url), picker: roundRobin(), retry: { budget: false } }));
    for (let i = 0; i < 4; i++) expect((await client.fetch('/get')).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await client.fetch('/post', { method: 'POST', body: 'x', idempotent: true })).status).toBe(200);
  });

  it('resolves with the last response when every attempt answers 503', async () => {
    const servers = await startServers([status(503), status(503), status(503)]);
    defer(() => servers.closeAll());
    const client = track(createClient({ name: 'svc', discovery: servers.map((s) => s.url), retry: { budget: false } }));
    const res = await client.fetch('/x');
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('status 503');
    // Three attempts, each on a different endpoint.
    expect(servers.map((s) => s.requests.length)).toEqual([1, 1, 1]);
  });

  it('resolves with a retried 503 when the next attempt gets no response at all', async () => {
    const servers = await startServers([status(503), hang()]);
    defer(() => servers.closeAll());
    const dead = await closedPort();
    const refused = track(createClient({ name: 'svc', discovery: [servers[0]!.url, dead], picker: roundRobin({ random: () => 0 }), retry: { attempts: 2, budget: false } }));
    const res = await refused.fetch('/x');
    expect(res.status).toBe(503);
    // Its body was cancelled before the retry went out, to free the connection: status and headers stay.
    expect(res.headers.get('date')).not.toBeNull();
    expect(await res.text()).toBe('');
    // The same when the total deadline runs out during the retry.
    const hung = track(createClient({ name: 'svc', discovery: [servers[0]!.url, servers[1]!.url], picker: roundRobin({ random: () => 0 }), retry: { budget: false }, timeout: { total: 300 } }));
    const late = await hung.fetch('/x');
    expect(late.status).toBe(503);
    expect(await late.text()).toBe('');
  });

  it('honours Retry-After up to the deadline when every endpoint asked for a pause', async () => {
    const servers = await startServers([status(503, { 'retry-after': '1' }), status(503, { 'retry-after': '1' })]);
    defer(() => servers.closeAll());
    const client = track(createClient({ name: 'svc', discovery: servers.map((s) => s.url), retry: { budget: false }, timeout: { total: 5_000 } }));
    const delays: number[] = [];
    client.on('retry', (e) => delays.push(e.delay));
    const started = performance.now();
    const res = await client.fetch('/x', { timeout: { total: 1_500 } });
    // The first retry goes at once to the other endpoint; once both asked for a pause, the next
    // waits until the first one's second is over (the call's third and last attempt ends with
    // the response).
    expect(res.status).toBe(503);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeLessThan(250);
    expect(delays[1]).toBeGreaterThan(750);
    expect(delays[1]).toBeLessThanOrEqual(1_000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('a stream body is sent once and never retried', async () => {
    const dead = await closedPort();
    const client = track(createClient({ name: 'svc', discovery: [dead], retry: { budget: false } }));
    let pulls = 0;
    const body = new ReadableStream({ pull(c) { pulls++; c.enqueue(new TextEncoder().encode('x')); c.close(); } });
    let attempts = 0;
    client.on('attempt', () => attempts++);
    const err = await client.fetch('/upload', { method: 'PUT', body, duplex: 'half' } as RequestInit).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestFailedError);
    expect((err as RequestFailedError).cause).toBeInstanceOf(TypeError);
    expect(attempts).toBe(1);
    expect(pulls).toBeLessThanOrEqual(1);
  });
});

describe('the retry budget', () => {
  it('keeps attempts per call ≤ 1.3 across 1 000 calls when every endpoint answers 503', async () => {
    const servers = await startServers([status(503), status(503), status(503)]);
    defer(() => servers.closeAll());
    const client = track(createClient({ name: 'svc', discovery: servers.map((s) => s.url), retry: { backoff: { base: 0, cap: 0 } } }));
    let exhausted = 0;
    client.on('budgetExhausted', () => exhausted++);
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(Array.from({ length: 50 }, async () => { await (await client.fetch('/x')).arrayBuffer(); }));
    }
    const stats = client.stats();
    expect(stats.calls.started).toBe(1_000);
    const sent = servers.reduce((n, s) => n + s.requests.length, 0);
    expect(sent).toBe(stats.attempts);
    expect(sent / 1_000).toBeLessThanOrEqual(1.3);
    expect(sent / 1_000).toBeGreaterThan(1.05);
    expect(exhausted).toBeGreaterThan(0);
  });
});
