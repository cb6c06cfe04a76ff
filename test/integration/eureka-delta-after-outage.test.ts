// What broke: with `delta: true`, Eureka was out of reach for longer than it keeps deltas (3 min) while a rolling deploy replaced my one instance with a new one; when Eureka came back the client kept calling the old, gone instance and never learned of the new one, for as long as the instance count stayed the same.
// The first refresh after a failed one now reads the whole registry (GET /apps), not a delta.
import { describe, expect, it } from 'vitest';
import { createClient, type DiscoveryErrorEvent } from '../../src/index.js';
import { eurekaDiscovery } from '../../src/eureka/index.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { eurekaInstance, startEurekaServer } from '../helpers/eureka-server.js';

const { track, defer } = closeAfterEach();

describe('eurekaDiscovery with delta: after an outage', () => {
  it('a replaced instance is seen once Eureka answers again, even though the counts per status did not change', async () => {
    const server = await startEurekaServer();
    defer(() => server.close());
    server.put('ORDERS', eurekaInstance('old-pod', '10.0.0.1', 8080));
    server.put('BILLING', eurekaInstance('b-1', '10.0.1.1', 9090));
    const client = track(createClient({ name: 'orders', discovery: eurekaDiscovery({ url: server.url, app: 'orders', delta: true, interval: 20, backoff: { min: 20, max: 40 } }) }));
    const errors: unknown[] = [];
    client.on('discoveryError', (e: DiscoveryErrorEvent) => errors.push(e.error));
    await until(() => client.endpoints().length === 1 && server.requests.some((r) => r.path === '/eureka/apps/delta'));
    expect(client.endpoints().map((e) => e.url)).toEqual(['http://10.0.0.1:8080']);

    // Eureka out of reach: the adapter reports failed refreshes (it knows it is cut off).
    await server.stop();
    await until(() => errors.length >= 2);
    // Meanwhile a rolling deploy replaces the pod, and the outage lasts longer than Eureka's
    // delta retention (180 s): the change is no longer in /apps/delta when Eureka answers again.
    server.remove('ORDERS', 'old-pod');
    server.put('ORDERS', eurekaInstance('new-pod', '10.0.0.2', 8080));
    server.clearDeltas();
    await server.start();

    await until(() => client.endpoints().some((e) => e.host === '10.0.0.2'), 2_000).catch(() => {});
    await sleep(50);
    expect(client.endpoints().map((e) => e.url)).toEqual(['http://10.0.0.2:8080']);
  });
});
