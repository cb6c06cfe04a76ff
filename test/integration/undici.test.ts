// bulwark over undici on real node:http servers on 127.0.0.1: the request transport
// (createUndiciClient) and the interceptor (under undici.request and Node's global fetch) each
// do what client.fetch does — spread, retry elsewhere, deadlines, caller abort, no retry of a
// POST after a response, health ejection, nothing left open after close().
import { describe, expect, it } from 'vitest';
import { ClientClosedError, roundRobin, TimeoutError, type HealthEvent } from '../../src/index.js';
import { closeAfterEach, openSockets, until } from '../helpers/lifecycle.js';
import { closedPort, counts, hang, ok, reset, status } from '../helpers/servers.js';
import { harness, MODES, type Harness } from './undici-modes.js';

const { track, servers } = closeAfterEach();

describe.each(MODES)('%s', (mode) => {
  const make = (options: Parameters<typeof harness>[1]): Harness => track(harness(mode, options));

  it('spreads calls over the endpoints as the picker says', async () => {
    const up = await servers(ok(), ok(), ok());
    const h = make({ name: 'svc', discovery: up.map((s) => s.url), picker: roundRobin() });
    for (let i = 0; i < 30; i++) expect((await h.call(`/x${i}`)).status).toBe(200);
    expect(counts(up)).toEqual([10, 10, 10]);
    expect(up[0]!.requests[0]!.path).toMatch(/^\/x\d+$/);
  });

  it('retries a 503 and a refused connection on another endpoint', async () => {
    const [bad, good] = await servers(status(503), ok());
    const dead = await closedPort();
    const h = make({ name: 'svc', discovery: [dead, bad!.url, good!.url], picker: roundRobin({ random: () => 0 }), retry: { budget: false, attempts: 3 } });
    const got = await h.call('/x');
    expect(got).toEqual({ status: 200, body: String(good!.port) });
    expect(bad!.requests.length).toBe(1);
    expect(h.client.stats().attempts).toBe(3);
  });

  it('an attempt timeout aborts the hung attempt (the server sees it go away) and the call goes elsewhere', async () => {
    const [hung, good] = await servers(hang(), ok());
    const h = make({ name: 'svc', discovery: [hung!.url, good!.url], picker: roundRobin({ random: () => 0 }), timeout: { attempt: 100, total: 5_000 } });
    const got = await h.call('/x');
    expect(got.status).toBe(200);
    await until(() => hung!.aborted === 1);
    expect(hung!.aborted).toBe(1);
  });

  it('the total deadline ends the call with TimeoutError(total), and the server sees the request go away', async () => {
    const [hung] = await servers(hang());
    const h = make({ name: 'svc', discovery: [hung!.url], timeout: { attempt: 10_000, total: 150 } });
    const started = performance.now();
    const err = await h.call('/x').catch((e: unknown) => e);
    const timeout = err instanceof TimeoutError ? err : (err as { cause?: unknown }).cause;
    expect(timeout).toBeInstanceOf(TimeoutError);
    expect((timeout as TimeoutError).scope).toBe('total');
    expect(performance.now() - started).toBeLessThan(1_000);
    await until(() => hung!.aborted === 1);
    expect(hung!.aborted).toBe(1);
  });

  it("the caller's abort rejects with its reason, and the server sees the request go away", async () => {
    const [hung] = await servers(hang());
    const h = make({ name: 'svc', discovery: [hung!.url] });
    const controller = new AbortController();
    const pending = h.call('/x', { signal: controller.signal });
    await until(() => hung!.requests.length === 1);
    const reason = new Error('user went away');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await until(() => hung!.aborted === 1);
    expect(hung!.aborted).toBe(1);
    await until(() => h.client.stats().calls.inflight === 0);
    expect(h.client.stats().calls.inflight).toBe(0);
  });

  it('aborting after the head stops the body, and the server sees the request go away', async () => {
    const [server] = await servers((req, res) => { req.resume(); res.writeHead(200); res.write('first'); });
    const h = make({ name: 'svc', discovery: [server!.url] });
    const controller = new AbortController();
    const head = await h.head('/x', { signal: controller.signal });
    expect(head.status).toBe(200);
    const reading = head.text();
    controller.abort(new Error('enough'));
    await expect(reading).rejects.toThrow('enough');
    await until(() => server!.aborted === 1);
    expect(server!.aborted).toBe(1);
  });

  it('a POST that got a response (503) is not retried; a GET is', async () => {
    const [bad, good] = await servers(status(503), ok());
    const h = make({ name: 'svc', discovery: [bad!.url, good!.url], picker: roundRobin({ random: () => 0 }), retry: { budget: false } });
    const post = await h.call('/p', { method: 'POST', body: 'payload' });
    expect(post.status).toBe(503);
    expect(counts([bad!, good!])).toEqual([1, 0]);
    const get = await h.call('/g');
    expect(get.status).toBe(200);
  });

  it('once the response head went to the caller nothing is retried: a body cut short fails the read', async () => {
    const [cut, good] = await servers((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-length': '100' });
      res.write('part');
      setTimeout(() => res.socket?.destroy(), 20);
    }, ok());
    const h = make({ name: 'svc', discovery: [cut!.url, good!.url], picker: roundRobin({ random: () => 0 }) });
    const head = await h.head('/x');
    expect(head.status).toBe(200);
    // undici's SocketError, which fetch wraps in TypeError('terminated').
    await expect(head.text()).rejects.toSatisfy((e: { code?: string; cause?: { code?: string } }) => (e.code ?? e.cause?.code) === 'UND_ERR_SOCKET');
    expect(counts([cut!, good!])).toEqual([1, 0]);
  });

  it('resolves with a retried 503 (its body read away) when the next attempt gets no response', async () => {
    const [bad, broken] = await servers(status(503, { 'retry-after': '0' }), reset());
    const h = make({ name: 'svc', discovery: [bad!.url, broken!.url], picker: roundRobin({ random: () => 0 }), retry: { budget: false, attempts: 2 } });
    const got = await h.call('/x');
    expect(got).toEqual({ status: 503, body: '' });
    expect(counts([bad!, broken!])).toEqual([1, 1]);
  });

  it('passes a large body whole, and retries a 503 whose large body is too big to read away', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const [bad, good] = await servers(
      (req, res) => { req.resume(); res.writeHead(503).end(big); },
      (req, res) => { req.resume(); res.writeHead(200).end(big); },
    );
    const h = make({ name: 'svc', discovery: [bad!.url, good!.url], picker: roundRobin({ random: () => 0 }), retry: { budget: false } });
    const got = await h.call('/big');
    expect(got.status).toBe(200);
    expect(got.body.length).toBe(big.length);
    expect(counts([bad!, good!])).toEqual([1, 1]);
  });

  it('hedges a slow GET: the faster answer wins, and the slower request is aborted (the server sees it go away)', async () => {
    const [slow, fast] = await servers(ok(2_000), ok());
    const h = make({ name: 'svc', discovery: [slow!.url, fast!.url], picker: roundRobin({ random: () => 0 }), hedge: { delay: 50, maxExtraLoad: 1 } });
    const started = performance.now();
    const got = await h.call('/x');
    expect(got).toEqual({ status: 200, body: String(fast!.port) });
    expect(performance.now() - started).toBeLessThan(1_000);
    await until(() => slow!.aborted === 1);
    expect(slow!.aborted).toBe(1);
    expect(h.client.stats().hedges).toEqual({ sent: 1, won: 1 });
  });

  it('ejects a dead endpoint: 300 calls from 10 callers, none fails, and the dead one is ejected', async () => {
    const live = await servers(ok(), ok());
    const dead = await closedPort();
    const h = make({ name: 'svc', discovery: [dead, live[0]!.url, live[1]!.url], picker: roundRobin() });
    const ejected: HealthEvent[] = [];
    h.client.on('health', (e) => { if (e.status === 'ejected') ejected.push(e); });
    let next = 0;
    let failed = 0;
    await Promise.all(Array.from({ length: 10 }, async () => {
      while (next < 300) {
        next++;
        const got = await h.call('/x').catch(() => ({ status: 0 }));
        if (got.status !== 200) failed++;
      }
    }));
    expect(failed).toBe(0);
    expect(ejected.map((e) => e.endpoint.url)).toEqual([dead]);
    expect(h.client.stats().endpoints.find((e) => e.url === dead)!.health).toMatchObject({ status: 'ejected' });
  });

  it('leaves nothing open after close(): no sockets, calls after it rejected', async () => {
    // Sockets of earlier tests close as their servers did.
    await until(() => openSockets() === 0);
    const before = openSockets();
    const up = await servers(ok(), ok());
    const h = harness(mode, { name: 'svc', discovery: up.map((s) => s.url), picker: roundRobin() });
    await Promise.all(Array.from({ length: 20 }, (_, i) => h.call(`/x${i}`)));
    expect(openSockets()).toBeGreaterThan(before);
    await h.close();
    await until(() => openSockets() === before);
    expect(openSockets()).toBe(before);
    // fetch wraps the dispatcher's error in TypeError('fetch failed').
    await expect(h.call('/late')).rejects.toSatisfy((e: { cause?: unknown }) => e instanceof ClientClosedError || e.cause instanceof ClientClosedError);
  });
});
