// eurekaDiscovery's `vipAddress` matched an instance's vipAddress exactly, while Eureka maps an
// instance to each VIP of a comma-separated list, case-insensitively: instances registered as
// "orders,orders-v2" or "ORDERS" were left out of a client asking for 'orders'.
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { eurekaDiscovery } from '../../src/eureka/index.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';
import { eurekaInstance, startEurekaServer } from '../helpers/eureka-server.js';

const { track, defer } = closeAfterEach();

describe('eurekaDiscovery vipAddress', () => {
  it('matches an instance that lists the VIP among several, or in another case, as Eureka does', async () => {
    const server = await startEurekaServer();
    defer(() => server.close());
    server.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8080, { vipAddress: 'orders' }));
    server.put('ORDERS', eurekaInstance('o-2', '10.0.0.2', 8080, { vipAddress: 'orders,orders-v2' }));
    server.put('ORDERS', eurekaInstance('o-3', '10.0.0.3', 8080, { vipAddress: 'ORDERS' }));
    server.put('ORDERS', eurekaInstance('o-4', '10.0.0.4', 8080, { vipAddress: 'billing' }));
    const client = track(createClient({ name: 'orders', discovery: eurekaDiscovery({ url: server.url, app: 'orders', vipAddress: 'orders', interval: 20 }) }));
    await until(() => client.endpoints().length > 0);
    await until(() => server.requests.length >= 3); // a few refreshes: the set is settled
    expect(client.endpoints().map((e) => e.host).sort()).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  });
});
