// What broke: a Consul or Eureka record with an invalid port was rejected with the port's raw
// value in `endpointRejected.reason`: a URL with its password in full, or a megabyte string as
// it came. The entry itself was shown without credentials; the reason now names the type only.
import { afterEach, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { consulDiscovery } from '../../src/consul/index.js';
import { eurekaDiscovery } from '../../src/eureka/index.js';
import { startConsulServer, type ConsulServer } from '../helpers/consul-server.js';
import { startEurekaServer, eurekaInstance, type EurekaServer } from '../helpers/eureka-server.js';
import { until } from '../helpers/lifecycle.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => { while (closers.length) await closers.pop()!(); });

const SECRET = 'hunter2-s3cret';
const HUGE = 'x'.repeat(1_000_000);

/** Waits for the two bad records' rejections, and checks their reasons hold neither the secret nor the megabyte, but `reason`. */
async function expectHiddenPortReasons(client: ReturnType<typeof createClient>, reason: string): Promise<void> {
  const rejected: { entry: unknown; reason: string }[] = [];
  client.on('endpointRejected', (e) => rejected.push(e));
  await until(() => rejected.length >= 2 && client.endpoints().length === 1, 10_000);
  // Booleans and numbers only: printing the reasons would print the megabyte.
  expect(JSON.stringify(rejected).includes(SECRET)).toBe(false);
  expect(Math.max(...rejected.map((r) => r.reason.length))).toBeLessThan(1_000);
  expect(rejected.map((r) => r.reason)).toContain(reason);
}

it('consul: an invalid Service.Port is reported without its credentials and without megabytes of it', async () => {
  const consul: ConsulServer = await startConsulServer();
  closers.push(() => consul.close());
  consul.register({ id: 'ok', service: 'web', address: '127.0.0.1', port: 8080 });
  consul.registerRaw('web', { Node: { Node: 'n1', Address: '127.0.0.1', Datacenter: 'dc1' }, Service: { ID: 'cred', Port: `http://admin:${SECRET}@10.0.0.1:80`, Tags: [] }, Checks: [] });
  consul.registerRaw('web', { Node: { Node: 'n2', Address: '127.0.0.1', Datacenter: 'dc1' }, Service: { ID: 'huge', Port: HUGE, Tags: [] }, Checks: [] });
  const client = createClient({ name: 'web', discovery: consulDiscovery({ service: 'web', url: consul.url }) });
  closers.push(() => client.close());
  await expectHiddenPortReasons(client, '"Service.Port" must be an integer from 1 to 65535, got a string');
});

it('eureka: an invalid port "$" is reported without its credentials and without megabytes of it', async () => {
  const eureka: EurekaServer = await startEurekaServer();
  closers.push(() => eureka.close());
  eureka.put('ORDERS', eurekaInstance('ok', '127.0.0.1', 8080));
  eureka.put('ORDERS', { ...eurekaInstance('cred', '127.0.0.2', 8080), port: { $: `http://admin:${SECRET}@10.0.0.1:80`, '@enabled': 'true' } });
  eureka.put('ORDERS', { ...eurekaInstance('huge', '127.0.0.3', 8080), port: { $: HUGE, '@enabled': 'true' } });
  const client = createClient({ name: 'orders', discovery: eurekaDiscovery({ url: eureka.url, app: 'orders' }) });
  closers.push(() => client.close());
  await expectHiddenPortReasons(client, '"port" must be an integer from 1 to 65535, got a string');
});

it('eureka: a port given as a decimal string out of range is named as the number it was read as', async () => {
  const { mapInstances } = await import('../../src/eureka/instances.js');
  const inst = { ...eurekaInstance('far', '127.0.0.1', 8080), port: { $: '70000', '@enabled': 'true' } };
  const { rejected } = mapInstances([inst], { secure: 'prefer' } as never);
  expect(rejected.map((r) => r.reason)).toEqual(['"port" must be an integer from 1 to 65535, got 70000']);
});
