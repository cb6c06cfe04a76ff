// The etcd functions refused options that are not an object (`etcdDiscovery(null)`,
// `etcdConfig(undefined)`, `etcdRegistration(42)`) and an `onError` that is not a function with a
// raw TypeError, where every other adapter (Consul, Eureka, ZooKeeper, DNS) throws `ConfigError`
// naming the option. A set-up that catches `ConfigError` to report `path` (a config loader that
// hands a missing section as `undefined`) got an error without `code` or `path` instead.
import { Etcd3 } from 'etcd3';
import { expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { etcdConfig, etcdDiscovery, etcdRegistration } from '../../src/etcd/index.js';
import { thrownConfigError } from '../helpers/config-client.js';

it.each([
  ['etcdDiscovery', () => etcdDiscovery(null as never)],
  ['etcdConfig', () => etcdConfig(undefined as never)],
  ['etcdRegistration', () => etcdRegistration(42 as never)],
])('%s refuses options that are not an object with ConfigError naming `options`', (name, make) => {
  const error = thrownConfigError(make);
  expect(error.code).toBe('ERR_BULWARK_CONFIG');
  expect(error.service).toBe(name);
  expect(error.path).toBe('options');
});

it('etcdRegistration refuses an onError that is not a function with ConfigError naming `onError`', () => {
  // Nothing connects until the client is used.
  const client = new Etcd3({ hosts: 'http://127.0.0.1:1' });
  try {
    const error = thrownConfigError(() => etcdRegistration({ client, prefix: 'services/users/', endpoint: '127.0.0.1:8080', onError: 'log' as never }));
    expect(error.path).toBe('onError');
  } finally {
    client.close();
  }
});
