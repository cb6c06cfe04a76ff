// client.fetch's inputs as plain fetch takes them: what reaches the endpoint (a path kept under the
// base path however it is written, a Request's body and options), odd input, and Retry-After.
// Every test runs on real node:http servers on 127.0.0.1 (or a fetch double that records its
// arguments) and failed before the fix it comes with.
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin } from '../../src/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { ok, type Handler } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

/** Answers 200 with the body it received; `/r` answers 307 to `/done` instead. */
const echoRedirect: Handler = (req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => { body += chunk; });
  req.on('end', () => {
    if (req.url === '/r') res.writeHead(307, { location: '/done' }).end();
    else res.writeHead(200).end(`got ${body}`);
  });
};

describe('client.fetch: the path stays under the base path however it is written', () => {
  it('a dot segment with a tab or a newline in it (which the URL parser drops) does not climb out of the base path', async () => {
    const [gateway] = await servers(ok());
    const client = track(createClient({ name: 'svc', discovery: [`${gateway!.url}/tenants/a`] }));
    for (const path of ['/.\t./.\t./admin', '/x/..\n/..\r/admin?q=1']) await (await client.fetch(path)).text();
    expect(gateway!.requests.map((r) => r.path)).toEqual(['/tenants/a/admin', '/tenants/a/admin?q=1']);
  });

  it('a path ending in ".." and spaces (which the URL parser trims) does not climb out of the base path', async () => {
    const [gateway] = await servers(ok());
    const client = track(createClient({ name: 'svc', discovery: [`${gateway!.url}/tenants/a`] }));
    await (await client.fetch('/.. ')).text();
    await (await client.fetch('/..\u0001')).text();
    expect(gateway!.requests.map((r) => r.path)).toEqual(['/tenants/a/', '/tenants/a/']);
  });

  it('a URL of a scheme whose paths keep backslashes cannot climb out of the base path', async () => {
    const [gateway] = await servers(ok());
    const client = track(createClient({ name: 'svc', discovery: [`${gateway!.url}/tenants/a`] }));
    await (await client.fetch(new URL('foo://h/..\\..\\admin?x=1'))).text();
    await (await client.fetch('foo://h/..\\..\\admin')).text();
    expect(gateway!.requests.map((r) => r.path)).toEqual(['/tenants/a/admin?x=1', '/tenants/a/admin']);
  });

  it('a URL with an opaque path (no leading slash) goes under the base path, not glued onto its last segment', async () => {
    const [gateway] = await servers(ok());
    const client = track(createClient({ name: 'svc', discovery: [`${gateway!.url}/tenants/a`] }));
    await (await client.fetch(new URL('x:b/secret?q=1'))).text();
    expect(gateway!.requests.map((r) => r.path)).toEqual(['/tenants/a/b/secret?q=1']);
  });

  it("a URL whose opaque path starts with '@' is a path on the endpoint, never userinfo in front of another host", async () => {
    const [a, other] = await servers(ok(), ok());
    const client = track(createClient({ name: 'svc', discovery: [a!.url.replace('http://', 'http://user:secret@')] }));
    const res = await client.fetch(new URL(`x:@127.0.0.1:${other!.port}/steal`));
    expect(res.status).toBe(200);
    await res.text();
    expect(a!.requests.map((r) => r.path)).toEqual([`/@127.0.0.1:${other!.port}/steal`]);
    expect(other!.requests).toHaveLength(0);
  });
});

describe("client.fetch: a Request's body and options, as fetch sends them", () => {
  it('a POST Request with a string body follows a 307 redirect with its body, as plain fetch does', async () => {
    const [server] = await servers(echoRedirect);
    const plain = await fetch(new Request(`${server!.url}/r`, { method: 'POST', body: 'payload' }));
    expect([plain.status, await plain.text()]).toEqual([200, 'got payload']);
    const client = track(createClient({ name: 'svc', discovery: [server!.url] }));
    const res = await client.fetch(new Request('http://ignored.invalid/r', { method: 'POST', body: 'payload' }));
    expect([res.status, await res.text()]).toEqual([200, 'got payload']);
  });

  it('a Request with a string body is sent with its content-length, as plain fetch sends it (not chunked)', async () => {
    const [server] = await servers(echoRedirect);
    const client = track(createClient({ name: 'svc', discovery: [server!.url] }));
    const res = await client.fetch(new Request('http://ignored.invalid/x', { method: 'PUT', body: 'payload', headers: { 'content-type': 'text/plain' } }));
    expect(await res.text()).toBe('got payload');
    const { headers } = server!.requests[0]!;
    expect([headers['content-length'], headers['transfer-encoding'], headers['content-type']]).toEqual(['7', undefined, 'text/plain']);
  });

  it("a Request's body is still sent whole on a retry, and the caller's Request stays unread", async () => {
    const bodies: string[] = [];
    const busy: Handler = (req, res) => { let b = ''; req.setEncoding('utf8'); req.on('data', (c: string) => { b += c; }); req.on('end', () => { bodies.push(b); res.writeHead(503).end(); }); };
    const [first, second] = await servers(busy, echoRedirect);
    const client = track(createClient({ name: 'svc', discovery: [first!.url, second!.url], picker: roundRobin({ random: () => 0 }), retry: { budget: false } }));
    const request = new Request('http://ignored.invalid/x', { method: 'PUT', body: 'payload' });
    const res = await client.fetch(request);
    expect([res.status, await res.text()]).toEqual([200, 'got payload']);
    expect(bodies).toEqual(['payload']);
    expect(request.bodyUsed).toBe(false);
    expect(await request.text()).toBe('payload');
  });

  it("a Request's credentials, cache, mode, referrer policy, integrity and keepalive reach the fetch function", async () => {
    const seen: RequestInit[] = [];
    const fetchDouble = (async (_url: string, init: RequestInit) => { seen.push(init); return new Response('ok'); }) as typeof fetch;
    const client = track(createClient({ name: 'svc', discovery: ['http://127.0.0.1:9'], fetch: fetchDouble }));
    const request = new Request('http://ignored.invalid/x', { credentials: 'omit', cache: 'no-store', mode: 'same-origin', referrerPolicy: 'no-referrer', integrity: 'sha256-abc', keepalive: true });
    await (await client.fetch(request)).text();
    expect(seen[0]).toMatchObject({ credentials: 'omit', cache: 'no-store', mode: 'same-origin', referrerPolicy: 'no-referrer', integrity: 'sha256-abc', keepalive: true });
  });

  it("init.body: null over a Request keeps the Request's body, as fetch does", async () => {
    const [server] = await servers(echoRedirect);
    const client = track(createClient({ name: 'svc', discovery: [server!.url] }));
    const plain = await fetch(new Request(`${server!.url}/x`, { method: 'POST', body: 'payload' }), { body: null });
    expect(await plain.text()).toBe('got payload');
    const res = await client.fetch(new Request('http://ignored.invalid/x', { method: 'POST', body: 'payload' }), { body: null });
    expect(await res.text()).toBe('got payload');
  });

  it('an init of null is no init, as fetch takes it', async () => {
    const [server] = await servers(ok());
    const client = track(createClient({ name: 'svc', discovery: [server!.url] }));
    const res = await client.fetch('/x', null as never);
    expect(res.status).toBe(200);
    await res.text();
  });
});

describe('client.fetch: Retry-After', () => {
  it('a Retry-After that is neither delay-seconds nor an HTTP-date is ignored: the retry goes after the usual backoff', async () => {
    let n = 0;
    const flaky: Handler = (req, res) => {
      req.resume();
      if (n++ === 0) res.writeHead(503, { 'retry-after': '12/31/2099' }).end();
      else res.writeHead(200).end('ok');
    };
    const [server] = await servers(flaky);
    const client = track(createClient({ name: 'svc', discovery: [server!.url], timeout: { total: 5_000 } }));
    const res = await client.fetch('/x');
    expect(res.status).toBe(200);
    await res.text();
    expect(server!.requests).toHaveLength(2);
  });

  it('Retry-After as an HTTP-date in each of its three forms is honoured', async () => {
    const { retryAfterMs } = await import('../../src/transports/classify.js');
    const now = Date.parse('Sun, 06 Nov 1994 08:49:30 GMT');
    expect(retryAfterMs('Sun, 06 Nov 1994 08:49:37 GMT', now)).toBe(7_000);
    expect(retryAfterMs('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(7_000);
    expect(retryAfterMs('Sun Nov  6 08:49:37 1994', now)).toBe(7_000);
    expect(retryAfterMs(' 120 ', now)).toBe(120_000);
    // A header sent twice reaches fetch joined: two values that agree count, two that differ are junk.
    expect(retryAfterMs('5, 5', now)).toBe(5_000);
    for (const junk of ['12/31/2099', '2099-01-01', '1.5', '-1', '+5', '5, 6', '']) expect(retryAfterMs(junk, now), junk).toBeUndefined();
  });
});

describe("client.fetch: a Request of undici's own (the `fetch` option may be undici's)", () => {
  it("an undici Request is taken as a Request: its path, method and body reach the endpoint", async () => {
    const undici = await import('undici');
    const [server] = await servers(echoRedirect);
    const client = track(createClient({ name: 'svc', discovery: [server!.url], fetch: undici.fetch }));
    const res = await client.fetch(new undici.Request('http://ignored.invalid/items?id=1', { method: 'PUT', body: 'payload' }));
    expect([res.status, await res.text()]).toEqual([200, 'got payload']);
    expect(server!.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['PUT /items?id=1']);
  });
});
