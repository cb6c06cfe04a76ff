// What broke: I filter on `vipAddress: 'orders'`; my instances serve that VIP on their plain port and also have an (enabled) secure port with another secure VIP; the default `secure: 'prefer'` picked the secure port, found its secure VIP did not match, and dropped every instance without a word, so all my calls failed with NoEndpointsError, though Eureka itself lists them under VIP "orders".
// Under 'prefer' the secure port is used only when the secure VIP matches; else the plain port when the plain VIP does.
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { eurekaDiscovery } from '../../src/eureka/index.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';
import { eurekaInstance, startEurekaServer } from '../helpers/eureka-server.js';

const { track, defer } = closeAfterEach();

describe('eurekaDiscovery: vipAddress with secure: prefer', () => {
  it('an instance that serves the VIP on its plain port is called there when its secure port serves another VIP', async () => {
    const server = await startEurekaServer();
    defer(() => server.close());
    // Netflix's defaults give the secure port a VIP of its own (hostName:securePort) unless set.
    server.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8080, { vipAddress: 'orders', securePort: { $: 8443, '@enabled': 'true' }, secureVipAddress: 'o-1.local:8443' }));
    server.put('ORDERS', eurekaInstance('o-2', '10.0.0.2', 8080, { vipAddress: 'orders', securePort: { $: 8443, '@enabled': 'true' }, secureVipAddress: 'orders-secure' }));
    const client = track(createClient({ name: 'orders', discovery: eurekaDiscovery({ url: server.url, app: 'orders', vipAddress: 'orders', interval: 20 }) }));
    await until(() => server.requests.length >= 3);
    // Eureka's own VIP lookup (getInstancesByVipAddress("orders", secure = false)) returns both,
    // on their plain port; "prefer" means https only where the secure port can be used.
    expect(client.endpoints().map((e) => e.url).sort()).toEqual(['http://10.0.0.1:8080', 'http://10.0.0.2:8080']);
  });
});

describe('eurekaDiscovery: vipAddress picks the port that serves it', () => {
  it("'prefer' still calls https where the secure VIP matches; 'only' leaves out an instance whose secure VIP does not", async () => {
    const server = await startEurekaServer();
    defer(() => server.close());
    server.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8080, { vipAddress: 'orders', securePort: { $: 8443, '@enabled': 'true' }, secureVipAddress: 'orders' }));
    server.put('ORDERS', eurekaInstance('o-2', '10.0.0.2', 8080, { vipAddress: 'orders', securePort: { $: 8443, '@enabled': 'true' }, secureVipAddress: 'other' }));
    server.put('ORDERS', eurekaInstance('o-3', '10.0.0.3', 8080, { vipAddress: 'other', securePort: { $: 8443, '@enabled': 'true' }, secureVipAddress: 'other' }));
    const prefer = track(createClient({ name: 'orders', discovery: eurekaDiscovery({ url: server.url, app: 'orders', vipAddress: 'orders', interval: 20 }) }));
    const only = track(createClient({ name: 'orders', discovery: eurekaDiscovery({ url: server.url, app: 'orders', vipAddress: 'orders', secure: 'only', interval: 20 }) }));
    await until(() => prefer.endpoints().length > 0 && only.endpoints().length > 0);
    expect(prefer.endpoints().map((e) => e.url).sort()).toEqual(['http://10.0.0.2:8080', 'https://10.0.0.1:8443']);
    expect(prefer.endpoints().find((e) => e.host === '10.0.0.2')?.metadata['eureka.vipAddress']).toBe('orders');
    expect(only.endpoints().map((e) => e.url)).toEqual(['https://10.0.0.1:8443']);
  });
});
