// bulwark/undici edges a fuzzer found against real node:http servers: a discarded response whose
// body stalls, a non-idempotent call on a pipelining pool, and an abort reason that is not an Error.
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin, type EndpointInit } from '../../src/index.js';
import { bulwarkInterceptor, createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { ok, type Handler } from '../helpers/servers.js';

const { track, servers, defer } = closeAfterEach();

/** A 503 whose body never ends: headers and a first chunk, then nothing. */
const stalled503: Handler = (req, res) => {
  req.resume();
  res.writeHead(503, { 'content-type': 'text/plain' });
  res.write('busy');
};

describe('a response bulwark reads away', () => {
  it('is given up within a second when its body stalls (request transport): the server sees the request go away', async () => {
    const [a, b] = await servers(stalled503, ok());
    const client = track(createUndiciClient({ name: 'svc', discovery: [a!.url, b!.url], picker: roundRobin({ random: () => 0 }) }));
    const res = await client.request('/x');
    expect(res.statusCode).toBe(200);
    await res.body.text();
    await until(() => a!.aborted === 1, 3_000);
  });

  it('is given up within a second when its body stalls (interceptor): the Agent then closes', async () => {
    const [a, b] = await servers(stalled503, ok());
    const client = track(createClient({ name: 'svc', discovery: [a!.url, b!.url], picker: roundRobin({ random: () => 0 }) }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.destroy());
    const res = await request('http://svc.internal/x', { dispatcher: agent });
    expect(res.statusCode).toBe(200);
    await res.body.text();
    await until(() => a!.aborted === 1, 3_000);
    await client.close();
    await agent.close();
  });
});

describe('idempotent: false', () => {
  it('is passed to undici: a pipelined GET marked so is not sent again when its connection dies', async () => {
    const [server] = await servers((req, res) => {
      req.resume();
      if (req.url === '/first') {
        // Headers and part of the body, then the connection dies under the pipelined request.
        res.writeHead(200, { 'content-length': '1000' });
        res.write('part');
        setTimeout(() => req.socket.destroy(), 100);
      } else {
        setTimeout(() => res.end('done'), 200);
      }
    });
    const client = track(createUndiciClient({ name: 'svc', discovery: [server!.url], retry: false, pool: { connections: 1, pipelining: 2 } }));
    const first = client.request('/first').then((r) => r.body.text()).catch(() => undefined);
    await sleep(20);
    await client.request('/charge', { method: 'GET', idempotent: false }).then((r) => r.body.text()).catch(() => undefined);
    await first;
    expect(server!.requests.filter((r) => r.path === '/charge')).toHaveLength(1);
  });
});

describe('the interceptor and a caller abort', () => {
  it("rejects with the caller's reason as it is, when it is not an Error", async () => {
    const [server] = await servers((req) => req.resume()); // never answers
    const client = track(createClient({ name: 'svc', discovery: [server!.url] }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.destroy());
    const controller = new AbortController();
    const pending = request('http://svc.internal/x', { signal: controller.signal, dispatcher: agent }).catch((e: unknown) => e);
    await sleep(50);
    controller.abort('shutting down');
    expect(await pending).toBe('shutting down');
  });

  it("ends a call still waiting for a first endpoint set at once with the reason; no attempt starts when the set comes", async () => {
    const [server] = await servers(ok());
    let push: ((list: readonly EndpointInit[]) => void) | undefined;
    const late = { watch(update: (list: readonly EndpointInit[]) => void) { push = update; return () => {}; } };
    const client = track(createClient({ name: 'svc', discovery: late, timeout: { total: 3_000 } }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.destroy());
    const controller = new AbortController();
    const viaRequest = request('http://svc.internal/x', { signal: controller.signal, dispatcher: agent }).catch((e: unknown) => e);
    const viaFetch = fetch('http://svc.internal/y', { signal: controller.signal, dispatcher: agent } as unknown as RequestInit).catch((e: unknown) => e);
    await sleep(50);
    const reason = new Error('caller gave up');
    const aborted = performance.now();
    controller.abort(reason);
    expect(await viaRequest).toBe(reason);
    expect(await viaFetch).toBe(reason);
    expect(performance.now() - aborted).toBeLessThan(500);
    await until(() => client.stats().calls.inflight === 0);
    push!([server!.url]);
    await sleep(50);
    expect(server!.requests).toHaveLength(0);
    expect(client.stats()).toMatchObject({ attempts: 0, calls: { started: 2, inflight: 0 } });
    expect(client.stats().endpoints.map((e) => e.successes + e.failures + e.cancelled + e.inflight)).toEqual([0]);
  });
});
