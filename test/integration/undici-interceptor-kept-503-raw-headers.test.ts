// What broke (found by the undici review): through the interceptor, `undici.request(url, { responseHeaders: 'raw' })` of a call
// that resolves with a kept (retried, then detached) 503 — the retry got no response — gets
// `headers: []`: every header of the response is lost, Retry-After included. RoutedCall's
// `rawHeaders` getter (src/undici/routed-call.ts:91-94) answers null for a detached attempt, and
// undici's request handler builds raw headers from the controller's rawHeaders only.
// The README promises the retried response's status *and headers* (without content-length and
// transfer-encoding); the request transport and `responseHeaders` left default both keep them.
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin } from '../../src/index.js';
import { bulwarkInterceptor, createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { status } from '../helpers/servers.js';

const { track, servers, defer } = closeAfterEach();

/** A 503 endpoint first, then one that refuses connections: the 503 is kept and returned. */
const options = (busy: string, name: string) => ({
  name,
  discovery: [busy, 'http://127.0.0.1:1'],
  picker: roundRobin({ random: () => 0 }),
  health: false as const,
  retry: { attempts: 2, backoff: { base: 1, cap: 1 } },
});

/** Raw headers as a lower-cased name → value map. */
function named(raw: unknown): Record<string, string> {
  const list = raw as unknown[];
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[String(list[i]).toLowerCase()] = String(list[i + 1]);
  return out;
}

describe("a kept 503 read with responseHeaders: 'raw'", () => {
  it('request transport (control): keeps its headers', async () => {
    const [a] = await servers(status(503, { 'retry-after': '0', 'x-trace': 'abc' }));
    const client = track(createUndiciClient(options(a!.url, 'svc')));
    const res = await client.request('/x', { responseHeaders: 'raw' });
    expect(res.statusCode).toBe(503);
    await res.body.text();
    expect(named(res.headers)).toMatchObject({ 'retry-after': '0', 'x-trace': 'abc' });
  });

  it('interceptor + undici.request: keeps its headers too', async () => {
    const [a] = await servers(status(503, { 'retry-after': '0', 'x-trace': 'abc' }));
    const client = track(createClient(options(a!.url, 'svc')));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.close());
    // Control: with headers as an object they are there.
    const plain = await request('http://svc.internal/x', { dispatcher: agent });
    expect(plain.statusCode).toBe(503);
    await plain.body.text();
    expect(plain.headers).toMatchObject({ 'retry-after': '0', 'x-trace': 'abc' });
    const res = await request('http://svc.internal/x', { dispatcher: agent, responseHeaders: 'raw' });
    expect(res.statusCode).toBe(503);
    await res.body.text();
    expect(named(res.headers)).toMatchObject({ 'retry-after': '0', 'x-trace': 'abc' }); // (was: headers are [])
  });
});
