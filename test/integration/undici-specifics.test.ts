// What only the undici transport or only the interceptor does, on real servers on 127.0.0.1:
// pools per endpoint and their closing, keeping the socket of a retried response, stream bodies,
// pass-through of other origins, bulwark:// URLs, the global dispatcher, undici's retry interceptor.
import { Readable } from 'node:stream';
import type { Socket } from 'node:net';
import { Agent, FormData as UndiciFormData, getGlobalDispatcher, interceptors, request, setGlobalDispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { BulwarkError, ConfigError, createClient, ringHash, roundRobin } from '../../src/index.js';
import { bulwarkInterceptor, createUndiciClient } from '../../src/undici/index.js';
import { movable } from '../helpers/plugins.js';
import { closeAfterEach, openSockets, until } from '../helpers/lifecycle.js';
import { counts, ok, status, type Handler } from '../helpers/servers.js';

const { track, servers, defer } = closeAfterEach();

/** Answers 503 to the first request, 200 after; records the sockets requests came on. */
function flakyOnce(sockets: Set<Socket>): Handler {
  let n = 0;
  return (req, res) => {
    sockets.add(req.socket);
    req.resume();
    if (n++ === 0) res.writeHead(503, { 'content-type': 'text/plain' }).end('x'.repeat(2_000));
    else res.writeHead(200).end('fine');
  };
}

describe('the undici transport', () => {
  it('request() refuses a client option or a near miss of a per-call one before anything is sent, and passes undici options on', async () => {
    const [a] = await servers(ok());
    const users = track(createUndiciClient({ name: 'users', discovery: [a!.url] }));
    await expect(users.request('/x', { retry: false } as never)).rejects.toMatchObject({ path: 'retry' });
    await expect(users.request('/x', { timout: { total: 5 } } as never)).rejects.toBeInstanceOf(ConfigError);
    expect(a!.requests).toHaveLength(0);
    const res = await users.request('/x', { method: 'GET', headersTimeout: 1_000 });
    expect(res.statusCode).toBe(200);
    await res.body.text();
  });

  it('makes a pool per endpoint on first use and closes it when discovery removes the endpoint', async () => {
    const up = await servers(ok(), ok());
    const discovery = movable([up[0]!.url, up[1]!.url]);
    const client = track(createUndiciClient({ name: 'svc', discovery, picker: roundRobin(), pool: { connections: 4 } }));
    expect(client.openPools).toBe(0);
    for (let i = 0; i < 4; i++) await (await client.request('/x')).body.text();
    expect(client.openPools).toBe(2);
    discovery.set([up[1]!.url]);
    expect(client.openPools).toBe(1);
    for (let i = 0; i < 4; i++) await (await client.request('/x')).body.text();
    expect(counts(up)).toEqual([2, 6]);
  });

  it('closes a removed endpoint’s pool even after removeAllListeners() (the release does not ride on the public event)', async () => {
    const up = await servers(ok(), ok());
    const discovery = movable([up[0]!.url, up[1]!.url]);
    const client = track(createUndiciClient({ name: 'svc', discovery, picker: roundRobin() }));
    for (let i = 0; i < 2; i++) await (await client.request('/x')).body.text();
    expect(client.openPools).toBe(2);
    client.removeAllListeners();
    discovery.set([up[1]!.url]);
    expect(client.openPools).toBe(1);
  });

  it('reads a retried response body away so the socket is reused for the retry', async () => {
    const sockets = new Set<Socket>();
    const [server] = await servers(flakyOnce(sockets));
    const client = track(createUndiciClient({ name: 'svc', discovery: [server!.url], retry: { budget: false, backoff: { base: 1, cap: 1 } }, pool: { connections: 1 } }));
    const res = await client.request('/x');
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('fine');
    expect(server!.requests.length).toBe(2);
    expect(sockets.size).toBe(1);
  });

  it('a stream body gets one attempt, even when marked idempotent', async () => {
    const [bad, good] = await servers(status(503), ok());
    const client = track(createUndiciClient({ name: 'svc', discovery: [bad!.url, good!.url], picker: roundRobin({ random: () => 0 }), retry: { budget: false } }));
    const res = await client.request('/s', { method: 'PUT', body: Readable.from(['a', 'b']), idempotent: true });
    expect(res.statusCode).toBe(503);
    await res.body.dump();
    expect(counts([bad!, good!])).toEqual([1, 0]);
    const again = await client.request('/b', { method: 'PUT', body: 'replayable' });
    expect(again.statusCode).toBe(200);
    await again.body.dump();
  });

  it("aborting after the headers stops the body, and the server sees the request go away", async () => {
    const [server] = await servers((req, res) => { req.resume(); res.writeHead(200); res.write('first'); });
    const client = track(createUndiciClient({ name: 'svc', discovery: [server!.url] }));
    const controller = new AbortController();
    const res = await client.request('/x', { signal: controller.signal });
    const reading = res.body.text();
    const reason = new Error('enough');
    controller.abort(reason);
    await expect(reading).rejects.toBe(reason);
    await until(() => server!.aborted === 1);
    expect(server!.aborted).toBe(1);
  });

  it('sends the userinfo of an endpoint URL as basic authorization, without showing it anywhere', async () => {
    const [server] = await servers(ok());
    const url = server!.url.replace('http://', 'http://user:s3cret@');
    const client = track(createUndiciClient({ name: 'svc', discovery: [url] }));
    await (await client.request('/x')).body.dump();
    expect(server!.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('user:s3cret').toString('base64')}`);
    expect(JSON.stringify(client.endpoints())).not.toContain('s3cret');
  });

  it('an undici FormData body is sent again on a retry', async () => {
    const [bad, good] = await servers(status(503), ok());
    const client = track(createUndiciClient({ name: 'svc', discovery: [bad!.url, good!.url], picker: roundRobin({ random: () => 0 }), retry: { budget: false } }));
    const form = new UndiciFormData();
    form.append('field', 'value');
    const res = await client.request('/f', { method: 'PUT', body: form });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    expect(counts([bad!, good!])).toEqual([1, 1]);
  });

  it('sends the userinfo of an endpoint URL as authorization with headers given as Headers or a Map, transport and interceptor alike', async () => {
    const [server] = await servers(ok());
    const url = server!.url.replace('http://', 'http://user:s3cret@');
    const transport = track(createUndiciClient({ name: 'svc', discovery: [url], retry: false }));
    const routed = track(createClient({ name: 'routed', discovery: [url], retry: false }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': routed } }));
    defer(() => agent.close());
    const shapes = [() => new Headers({ 'x-a': '1', 'x-b': '2' }), () => new Map([['x-a', '1'], ['x-b', '2']])];
    for (const headers of shapes) {
      await (await transport.request('/x', { headers: headers() as never })).body.dump();
      await (await request('http://svc.internal/x', { dispatcher: agent, headers: headers() as never })).body.dump();
    }
    const basic = `Basic ${Buffer.from('user:s3cret').toString('base64')}`;
    expect(server!.requests.map((r) => [r.headers.authorization, r.headers['x-a'], r.headers['x-b']])).toEqual(Array(4).fill([basic, '1', '2']));
  });

  it('refuses pool options undici refuses without showing their secrets (TLS key, passphrase), naming what was refused', () => {
    const pool = { connect: { passphrase: 'hunter2', key: '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----' }, connections: -1 };
    let error: unknown;
    try {
      createUndiciClient({ name: 'svc', discovery: ['https://127.0.0.1:1'], pool });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { message, path, value } = error as ConfigError;
    expect(path).toBe('pool');
    expect(message).toMatch(/connections/);
    expect(value).toMatchObject({ connections: -1 });
    expect(`${message} ${path} ${JSON.stringify(value)}`).not.toMatch(/hunter2|PRIVATE KEY/);
  });

  it('refuses pool options undici refuses, at creation, with ConfigError', () => {
    expect(() => createUndiciClient({ name: 'svc', discovery: ['127.0.0.1:1'], pool: { connections: -1 } })).toThrow(ConfigError);
    expect(() => createUndiciClient({ name: 'svc', discovery: ['127.0.0.1:1'], pool: 'many' as never })).toThrow(/pool must be an object/);
  });
});

describe('the interceptor', () => {
  it('passes requests to other origins to the next dispatcher untouched', async () => {
    const [routed, other] = await servers(ok(), ok());
    const client = track(createClient({ name: 'svc', discovery: [routed!.url] }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.close());
    const res = await fetch(`${other!.url}/direct`, { dispatcher: agent } as unknown as RequestInit);
    expect(await res.text()).toBe(String(other!.port));
    expect(client.stats().calls.started).toBe(0);
    // Spellings of the routed origin that mean the same origin are routed too.
    const same = await request('HTTP://SVC.INTERNAL:80/x', { dispatcher: agent });
    expect(await same.body.text()).toBe(String(routed!.port));
    expect(client.stats().calls.started).toBe(1);
  });

  it('refuses an upgrade to a routed origin with a BulwarkError, sending nothing', async () => {
    const up = await servers(ok());
    const client = track(createUndiciClient({ name: 'svc', discovery: [up[0]!.url], health: false }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.close());
    // An Agent takes the origin in the options (undici's types leave it out of UpgradeOptions).
    const upgrade = { origin: 'http://svc.internal', path: '/ws' } as unknown as Parameters<typeof agent.upgrade>[0];
    const error = await agent.upgrade(upgrade).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BulwarkError);
    expect(error).toMatchObject({ code: 'ERR_BULWARK_NOT_ROUTED', service: 'svc' });
    expect(client.stats().calls.started).toBe(0);
  });

  it('routes the bulwark://<client name> origin (dispatcher.request with an origin; URL-taking APIs refuse the scheme)', async () => {
    const up = await servers(ok(), ok());
    const client = track(createClient({ name: 'users', discovery: up.map((s) => s.url), picker: roundRobin() }));
    const agent = new Agent().compose(bulwarkInterceptor({ clients: [client] }));
    defer(() => agent.close());
    for (let i = 0; i < 4; i++) await (await agent.request({ origin: 'bulwark://users', path: '/v1/x', method: 'GET' })).body.dump();
    await expect((async () => request('bulwark://users/v1/x', { dispatcher: agent }))()).rejects.toThrow(/protocol/);
    expect(counts(up)).toEqual([2, 2]);
    expect(up[0]!.requests[0]!.path).toBe('/v1/x');
  });

  it("under setGlobalDispatcher, Node's global fetch gets load balancing and retries without a dispatcher option", async () => {
    const [bad, good, other] = await servers(status(503), ok(), ok());
    const client = track(createClient({ name: 'svc', discovery: [bad!.url, good!.url], picker: roundRobin({ random: () => 0 }), retry: { budget: false } }));
    const previous = getGlobalDispatcher();
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    setGlobalDispatcher(agent);
    defer(async () => {
      setGlobalDispatcher(previous);
      await agent.close();
    });
    const res = await fetch('http://svc.internal/x');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(String(good!.port));
    expect(counts([bad!, good!])).toEqual([1, 1]);
    // Everything else still reaches its own origin.
    expect(await (await fetch(`${other!.url}/y`)).text()).toBe(String(other!.port));
  });

  it("an undici retry interceptor composed under it does not retry routed requests a second time", async () => {
    const [bad, good] = await servers(status(503), ok());
    const client = track(createClient({ name: 'svc', discovery: [bad!.url, good!.url], picker: roundRobin({ random: () => 0 }), retry: { budget: false } }));
    const agent = new Agent().compose(
      interceptors.retry({ maxRetries: 3, statusCodes: [503], minTimeout: 1, timeoutFactor: 1 }),
      bulwarkInterceptor({ origins: { 'http://svc.internal': client } }),
    );
    defer(() => agent.close());
    const res = await request('http://svc.internal/x', { dispatcher: agent });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    expect(counts([bad!, good!])).toEqual([1, 1]);
  });

  it('takes the hash key from the request for ringHash: one user always reaches one endpoint', async () => {
    const up = await servers(ok(), ok(), ok());
    const client = track(createClient({ name: 'svc', discovery: up.map((s) => s.url), picker: ringHash() }));
    const agent = new Agent().compose(bulwarkInterceptor({
      origins: { 'http://svc.internal': client },
      key: (req) => {
        const headers = req.headers as Record<string, string> | undefined;
        if (headers?.['x-fail'] !== undefined) throw new Error('no key today');
        return headers?.['x-user'];
      },
    }));
    defer(() => agent.close());
    const served = new Map<string, Set<string>>();
    for (let i = 0; i < 40; i++) {
      const user = `u${i % 4}`;
      const res = await request('http://svc.internal/x', { dispatcher: agent, headers: { 'x-user': user } });
      const port = await res.body.text();
      served.set(user, (served.get(user) ?? new Set()).add(port));
    }
    expect([...served.values()].every((ports) => ports.size === 1)).toBe(true);
    await expect(request('http://svc.internal/x', { dispatcher: agent, headers: { 'x-fail': '1' } })).rejects.toThrow('no key today');
  });

  it('refuses origins that are not http(s) origins, routes to things that are not clients, and two clients for one route', () => {
    const client = createClient({ name: 'svc', discovery: ['127.0.0.1:1'] });
    defer(() => client.close());
    expect(() => bulwarkInterceptor({ origins: { 'http://svc.internal/api': client } })).toThrow(ConfigError);
    expect(() => bulwarkInterceptor({ origins: { 'ftp://svc.internal': client } })).toThrow(ConfigError);
    expect(() => bulwarkInterceptor({ origins: { 'http://svc.internal': {} as never } })).toThrow(/must be a bulwark client/);
    const twin = createClient({ name: 'svc', discovery: ['127.0.0.1:2'] });
    defer(() => twin.close());
    expect(() => bulwarkInterceptor({ origins: { 'http://a.internal': client }, clients: [twin] })).toThrow(/bulwark:\/\/svc, which another client already takes/);
  });

  it('refuses an origin key without showing its userinfo or query, in the message, the path or the value', () => {
    const client = track(createClient({ name: 'svc', discovery: ['127.0.0.1:1'] }));
    for (const key of ['http://admin:S3cretPw@svc.internal', 'http://svc.internal/?token=TOPSECRET']) {
      let error: unknown;
      try {
        bulwarkInterceptor({ origins: { [key]: client } });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const { message, path, value } = error as ConfigError;
      // A key holding an `@` is not shown at all (what precedes it may be a password); the token is cut.
      expect(path).toMatch(key.includes('@') ? /^origins\["\(hidden\)"\]$/ : /^origins\["http:\/\/svc\.internal\/\?…"\]$/);
      expect(`${message} ${path} ${JSON.stringify(value)}`).not.toMatch(/S3cretPw|TOPSECRET/);
    }
  });

  it('closing the agent and the client leaves no socket open', async () => {
    await until(() => openSockets() === 0);
    const up = await servers(ok(), ok());
    const client = createClient({ name: 'svc', discovery: up.map((s) => s.url) });
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    await Promise.all(Array.from({ length: 10 }, async () => (await fetch('http://svc.internal/x', { dispatcher: agent } as unknown as RequestInit)).text()));
    expect(openSockets()).toBeGreaterThan(0);
    await client.close();
    await agent.close();
    await until(() => openSockets() === 0);
    expect(openSockets()).toBe(0);
  });
});
