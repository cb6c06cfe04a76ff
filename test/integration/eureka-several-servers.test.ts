// What broke: I copied my Spring `eureka.client.serviceUrl.defaultZone` ("http://peer1/eureka,http://peer2/eureka") into `url`; bulwark accepted it, sent every request to peer1 under a garbage path, and told me "Eureka does not know the application ORDERS" although ORDERS is registered there (and never tried peer2 when peer1 was down).
// A comma-separated `url` is now a list of Eureka servers, tried in order (README, "Eureka").
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createClient, type DiscoveryErrorEvent } from '../../src/index.js';
import { eurekaDiscovery } from '../../src/eureka/index.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';
import { eurekaInstance, startEurekaServer } from '../helpers/eureka-server.js';

const { track, defer } = closeAfterEach();

/** A port on 127.0.0.1 where nothing listens. */
async function deadUrl(): Promise<string> {
  const s: Server = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}/eureka`;
}

const discovery = (url: string): ReturnType<typeof eurekaDiscovery> => eurekaDiscovery({ url, app: 'orders', interval: 20, backoff: { min: 20, max: 40 } });

describe('eurekaDiscovery: a comma-separated list of Eureka service URLs (Spring defaultZone)', () => {
  it('the first server is up and has the app: it is not reported as unknown', async () => {
    const server = await startEurekaServer();
    defer(() => server.close());
    server.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8080));
    const client = track(createClient({ name: 'orders', discovery: discovery(`${server.url}/,${await deadUrl()}/`) }));
    const errors: unknown[] = [];
    client.on('discoveryError', (e: DiscoveryErrorEvent) => errors.push(e.error));
    await until(() => client.endpoints().length === 1 || errors.length > 0 || server.requests.length >= 3);
    expect(server.requests.map((r) => r.path)).not.toContainEqual(expect.stringContaining(','));
    expect(errors.map(String)).toEqual([]);
    expect(client.endpoints().map((e) => e.url)).toEqual(['http://10.0.0.1:8080']);
  });

  it('the first server is down: the next one in the list is asked', async () => {
    const server = await startEurekaServer();
    defer(() => server.close());
    server.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8080));
    const client = track(createClient({ name: 'orders', discovery: discovery(`${await deadUrl()}/,${server.url}/`) }));
    await until(() => client.endpoints().length === 1, 3_000).catch(() => {});
    expect(client.endpoints().map((e) => e.url)).toEqual(['http://10.0.0.1:8080']);
  });
});
