// bulwark/undici: close() with pools still closing, raw response headers, bad paths and
// interceptor options, and a caller's handler that throws; each test names a promise of README.md
// or docs/undici.md.
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient, roundRobin } from '../../src/index.js';
import { bulwarkInterceptor, createUndiciClient } from '../../src/undici/index.js';
import { movable } from '../helpers/plugins.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { ok, status } from '../helpers/servers.js';

const { track, servers, defer } = closeAfterEach();

describe('the undici transport', () => {
  it('close() destroys the socket of a body still open on an endpoint discovery removed (after its 1 s grace)', async () => {
    const [streaming, other] = await servers((req, res) => { req.resume(); res.writeHead(200); res.write('first'); }, ok());
    const discovery = movable([streaming!.url, other!.url]);
    const client = createUndiciClient({ name: 'svc', discovery, picker: roundRobin({ random: () => 0 }) });
    const res = await client.request('/x');
    expect(res.statusCode).toBe(200);
    res.body.on('error', () => {});
    discovery.set([other!.url]);
    const started = performance.now();
    await client.close();
    expect(performance.now() - started).toBeLessThan(3_000);
    // Nothing is left open once close() resolved: the server sees the request go away.
    await until(() => streaming!.aborted === 1, 1_000);
  });

  it('close() called again from a listener while closing still resolves only once the pools are closed', async () => {
    // '/body' answers a head and part of a body, never the rest; anything else hangs.
    const [server] = await servers((req, res) => { req.resume(); if (req.url === '/body') { res.writeHead(200); res.write('first'); } });
    const client = createUndiciClient({ name: 'svc', discovery: [server!.url], timeout: { attempt: 10_000, total: 20_000 } });
    const res = await client.request('/body');
    res.body.on('error', () => {});
    // A call in flight: close() ends it, and a listener of its attempt event closes the client again.
    const pending = client.request('/hang').catch(() => undefined);
    await until(() => server!.requests.length === 2);
    let again: Promise<void> | undefined;
    client.on('attempt', () => { again ??= client.close(); });
    await client.close();
    expect(again).toBeDefined();
    await pending;
    // The body's socket is gone once close() resolved (1 s grace, then destroyed).
    await until(() => server!.aborted === 2, 500);
  });

  it('honours Retry-After with responseHeaders: raw (the endpoint is left alone as it asked)', async () => {
    const [busy, good] = await servers(status(503, { 'retry-after': '20' }), ok());
    const client = track(createUndiciClient({ name: 'svc', discovery: [busy!.url, good!.url], picker: roundRobin({ random: () => 0 }), retry: { budget: false } }));
    const res = await client.request('/x', { responseHeaders: 'raw' });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    const paused = client.stats().endpoints.find((e) => e.url === busy!.url)!;
    expect(paused.health!.pausedFor).toBeGreaterThan(10_000);
  });

  it('an absolute URL path that cannot be parsed rejects without echoing its userinfo', async () => {
    const [a] = await servers(ok());
    const client = track(createUndiciClient({ name: 'svc', discovery: [a!.url] }));
    const err = await client.request('http://user:s3cret@exa mple.com/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const shown = JSON.stringify(err, Object.getOwnPropertyNames(err)) + String(err) + String((err as Error).stack);
    expect(shown).not.toContain('s3cret');
    expect(err).toBeInstanceOf(ConfigError);
    expect(a!.requests).toHaveLength(0);
  });

  it('a path that is not a string rejects with ConfigError naming path, not a raw TypeError', async () => {
    const [a] = await servers(ok());
    const client = track(createUndiciClient({ name: 'svc', discovery: [a!.url] }));
    await expect(client.request(42 as never)).rejects.toSatisfy((e: unknown) => e instanceof ConfigError && e.path === 'path');
    expect(a!.requests).toHaveLength(0);
  });
});

describe('the interceptor', () => {
  it('refuses clients that is not an array with ConfigError naming clients, not a raw TypeError', () => {
    const client = track(createClient({ name: 'svc', discovery: ['http://127.0.0.1:1'] }));
    for (const clients of ['svc', { svc: client }, client]) {
      let thrown: unknown;
      try { bulwarkInterceptor({ clients } as never); } catch (err) { thrown = err; }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).path).toBe('clients');
    }
  });

  it("takes a request's own idempotent option as the caller's word, as undici does: a POST marked idempotent is retried, a GET marked not is not", async () => {
    const [a, b] = await servers(status(503), status(503));
    const client = track(createClient({ name: 'svc', discovery: [a!.url, b!.url], picker: roundRobin(), health: false, retry: { attempts: 2, budget: false, backoff: { base: 1, cap: 1 } } }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.close());
    const sent = (): number => a!.requests.length + b!.requests.length;
    const post = await agent.request({ origin: 'http://svc.internal', path: '/p', method: 'POST', body: 'x', idempotent: true });
    await post.body.dump();
    expect([post.statusCode, sent()]).toEqual([503, 2]);
    const get = await agent.request({ origin: 'http://svc.internal', path: '/g', method: 'GET', idempotent: false });
    await get.body.dump();
    expect([get.statusCode, sent()]).toEqual([503, 3]);
  });

  it("a handler that throws in its response start (undici.stream's factory) fails the call with that error, as undici does", async () => {
    const [a] = await servers(ok());
    const client = track(createClient({ name: 'svc', discovery: [a!.url] }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.close());
    const boom = new Error('factory failed');
    const pending = agent.stream({ origin: 'http://svc.internal', path: '/x', method: 'GET' }, () => { throw boom; });
    await expect(Promise.race([pending, sleep(2_000).then(() => 'hung')])).rejects.toBe(boom);
  });
});
