// eurekaDiscovery kept its last set when an answer had no usable instance and at least one invalid
// one: with o-1 valid and o-2 invalid, o-1 going OUT_OF_SERVICE left it in the client's set for
// good. The last set is now kept only when every instance was invalid (docs/discovery.md).
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { eurekaDiscovery } from '../../src/eureka/index.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';
import { eurekaInstance, startEurekaServer } from '../helpers/eureka-server.js';

const { track, defer } = closeAfterEach();

describe('eurekaDiscovery: left out vs rejected', () => {
  it('drops an instance set OUT_OF_SERVICE even when another instance of the app is rejected', async () => {
    const server = await startEurekaServer();
    defer(() => server.close());
    server.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8080));
    // UP, but no enabled port at all: rejected (docs: "no enabled port at all ... is dropped with endpointRejected").
    server.put('ORDERS', eurekaInstance('o-2', '10.0.0.2', 8080, { port: { $: 8080, '@enabled': 'false' } }));
    const client = track(createClient({ name: 'orders', discovery: eurekaDiscovery({ url: server.url, app: 'orders', interval: 20, backoff: { min: 20, max: 100 } }) }));
    const rejected: unknown[] = [];
    client.on('endpointRejected', (e) => rejected.push(e));
    await until(() => client.endpoints().length === 1 && rejected.length === 1);
    server.setStatus('ORDERS', 'o-1', 'OUT_OF_SERVICE');
    const before = server.requests.length;
    await until(() => server.requests.length >= before + 5); // several refreshes after the change
    expect(client.endpoints().map((e) => e.host)).toEqual([]);
  });
});
