// What broke: eurekaRegistration accepted instances eurekaDiscovery then dropped.
// eurekaRegistration accepts instances that bulwark's own eurekaDiscovery then drops with
// endpointRejected: an ipAddr that is no host (a host:port), or a metadata key that every reader
// refuses (constructor, prototype, __proto__), metadata over 64 KiB. zookeeperRegistration and etcdRegistration refuse
// such an instance up front with a ConfigError ("an instance no discoverer would take is refused
// now, not written"); a Eureka instance should be refused the same way.
import { expect, it } from 'vitest';
import { ConfigError, createClient, type EndpointRejectedEvent } from '../../src/index.js';
import { eurekaDiscovery, eurekaRegistration } from '../../src/eureka/index.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { startEurekaServer } from '../helpers/eureka-server.js';

const { track, defer } = closeAfterEach();

const cases: [string, Record<string, unknown>][] = [
  ['an ipAddr with a port in it', { hostName: 'orders-1.local', ipAddr: '10.0.0.7:8080', port: 8080 }],
  ['a metadata key "constructor"', { hostName: 'orders-1.local', ipAddr: '127.0.0.1', port: 8080, metadata: { constructor: 'x' } }],
  ['metadata over the 64 KiB readers take', { hostName: 'orders-1.local', ipAddr: '127.0.0.1', port: 8080, metadata: { big: 'x'.repeat(70_000) } }],
  ['a metadata array', { hostName: 'orders-1.local', ipAddr: '127.0.0.1', port: 8080, metadata: ['x'] }],
  ['a metadata key "__proto__"', { hostName: 'orders-1.local', ipAddr: '127.0.0.1', port: 8080, metadata: JSON.parse('{"__proto__":"x"}') as unknown }],
  ['a hostName with a port in it (read by useHostName discoverers)', { hostName: 'orders-1.local:8080', ipAddr: '127.0.0.1', port: 8080 }],
];

it.each(cases)('an instance with %s, which eurekaDiscovery drops, is refused with a ConfigError rather than registered', async (_name, instance) => {
  const server = await startEurekaServer();
  defer(() => server.close());
  let thrown: unknown;
  try {
    const reg = eurekaRegistration({ url: server.url, app: 'orders', backoff: { min: 20, max: 50 }, instance: instance as never });
    defer(() => reg.stop());
    await reg.registered;
  } catch (err) {
    thrown = err;
  }
  if (thrown === undefined) {
    // Registered: show what readers make of it.
    const client = track(createClient({ name: 'orders', discovery: eurekaDiscovery({ url: server.url, app: 'orders', interval: 20 }) }));
    const rejected: EndpointRejectedEvent[] = [];
    client.on('endpointRejected', (e) => rejected.push(e));
    await until(() => rejected.length > 0, 2_000).catch(() => {});
    await sleep(50);
    expect({ registered: server.instances('ORDERS').length, endpoints: client.endpoints().length, rejected: rejected.map((r) => r.reason) }).toEqual({ registered: 0, endpoints: 0, rejected: [] });
  }
  expect(thrown).toBeInstanceOf(ConfigError);
});
