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
