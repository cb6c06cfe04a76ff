// What broke (found by the review of user-supplied functions): an etcd3 client (or what a
// ZooKeeper `client` function returned) that is a Proxy whose traps throw escaped the shape
// checks: etcdDiscovery and etcdConfig threw the trap's raw Error instead of a ConfigError, and
// zookeeperDiscovery reported a bare Error, not a ZookeeperError, as its discoveryError.
import { expect, it } from 'vitest';
import { ConfigError, createClient } from '../../src/index.js';
import { etcdConfig, etcdDiscovery } from '../../src/etcd/index.js';
import { zookeeperDiscovery, ZookeeperError } from '../../src/zookeeper/index.js';

const trap = (): object => new Proxy({}, { get(_t, k) { throw new Error(`trap ${String(k)}`); } });

it('etcdDiscovery and etcdConfig refuse an unreadable client with ConfigError', () => {
  const thrown = (f: () => unknown): unknown => { try { f(); return undefined; } catch (e) { return e; } };
  expect(thrown(() => etcdDiscovery({ client: trap() as never, prefix: 'services/x/' }))).toBeInstanceOf(ConfigError);
  expect(thrown(() => etcdConfig({ client: trap() as never, key: 'config/x' }))).toBeInstanceOf(ConfigError);
});

it('zookeeperDiscovery reports an unreadable client as a ZookeeperError', async () => {
  const c = createClient({ name: 'svc', discovery: zookeeperDiscovery({ client: (() => trap()) as never, path: '/services/x' }) });
  const errors: unknown[] = [];
  c.on('discoveryError', (e) => errors.push(e.error));
  for (let i = 0; i < 50 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  await c.close();
  expect(errors[0]).toBeInstanceOf(ZookeeperError);
});
