// What broke (found by the review of user-supplied functions): the Consul and Eureka adapters
// aborted the signal they gave their `fetch` option when a request's `timeout` was up, then
// went on awaiting that fetch. A `fetch` of the user's that does not pass the signal on, against
// a registry that never answers, left the adapter stuck for good: no discoveryError, no retry.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createClient, type Client, type Discovery } from '../../src/index.js';
import { consulDiscovery } from '../../src/consul/index.js';
import { eurekaDiscovery } from '../../src/eureka/index.js';
import { requestSource } from '../../src/discovery/http-source.js';

let server: Server | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

async function silentRegistry(): Promise<string> {
  server = createServer(() => { /* never answers */ });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// A wrapper of the user's that forgets to pass `signal` on.
const wrapper = (url: string, init: { method: string; headers?: Record<string, string>; body?: string }): Promise<Response> =>
  fetch(url, { method: init.method, ...(init.headers === undefined ? {} : { headers: init.headers }), ...(init.body === undefined ? {} : { body: init.body }) });

async function firstDiscoveryErrorWithin(discovery: Discovery, ms: number): Promise<boolean> {
  client = createClient({ name: 'svc', discovery });
  const got = new Promise<boolean>((resolve) => client!.once('discoveryError', () => resolve(true)));
  return Promise.race([got, new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

it('consul: a request past its timeout is given up even when the fetch option ignores its signal', async () => {
  const url = await silentRegistry();
  expect(await firstDiscoveryErrorWithin(consulDiscovery({ service: 'users', url, timeout: 300, fetch: wrapper as never }), 3_000)).toBe(true);
});

it('eureka: a request past its timeout is given up even when the fetch option ignores its signal', async () => {
  const url = await silentRegistry();
  expect(await firstDiscoveryErrorWithin(eurekaDiscovery({ url: `${url}/eureka`, app: 'users', timeout: 300, fetch: wrapper as never }), 3_000)).toBe(true);
});

// (diff review) Given up, a request must not leave its body, and its connection, open either.
/** A body that sends one chunk, then nothing more, and records being cancelled. */
function stalledBody(onCancel: () => void, first = true): ReadableStream<Uint8Array> {
  let sent = !first;
  return new ReadableStream<Uint8Array>({
    pull(ctl) { if (!sent) { sent = true; ctl.enqueue(new TextEncoder().encode('[')); return; } return new Promise(() => {}); },
    cancel() { onCancel(); },
  });
}

it('a body still being read when the request is given up is cancelled (fetch ignoring its signal)', async () => {
  let cancelled = false;
  const fetchFn = async () => new Response(stalledBody(() => { cancelled = true; }));
  const ctl = new AbortController();
  await expect(requestSource(fetchFn as never, { url: 'http://x/', timeout: 50, maxBytes: 1 << 20 }, 'http://x/', ctl.signal)).rejects.toThrow(/timed out/);
  await new Promise((r) => setTimeout(r, 20));
  expect(cancelled).toBe(true);
});

it('a response arriving after the request was given up has its body cancelled, not left open', async () => {
  let cancelled = false;
  const fetchFn = () => new Promise<Response>((r) => setTimeout(() => r(new Response(stalledBody(() => { cancelled = true; }))), 100));
  const ctl = new AbortController();
  await expect(requestSource(fetchFn as never, { url: 'http://x/', timeout: 30, maxBytes: 1 << 20 }, 'http://x/', ctl.signal)).rejects.toThrow(/timed out/);
  await new Promise((r) => setTimeout(r, 150));
  expect(cancelled).toBe(true);
});
