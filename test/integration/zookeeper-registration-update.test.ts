// zookeeperRegistration against a real ZooKeeper (Debian's zookeeper package). What broke:
// - an update() that failed during a short disconnection (the session survived) was never
//   written: ZooKeeper kept the old record while the registration held the new one;
// - update() after stop() resolved as if ZooKeeper had the record;
// - an instance whose record every reader drops (over 64 KiB, a `__proto__` metadata key) was
//   registered; etcdRegistration refused it with a ConfigError, as this now does.
import { expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { zookeeperRegistration } from '../../src/zookeeper/index.js';
import { describeWith } from '../helpers/binaries.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { call, useZookeeper } from '../helpers/zookeeper-fixture.js';
import { TcpProxy, zookeeperBinary } from '../helpers/zookeeper-server.js';

describeWith(zookeeperBinary, 'zookeeperRegistration: update() converges, stop() ends it, unreadable records refused', () => {
  const { defer } = closeAfterEach();
  const fx = useZookeeper();
  const { factory, fresh } = fx;

  const dataOf = async (path: string): Promise<Record<string, unknown>> =>
    JSON.parse((await call<Buffer>((cb) => fx.admin.getData(path, (e, d) => cb(e, d)))).toString('utf8')) as Record<string, unknown>;

  it('an update() that failed during a short disconnection is written once the connection is back (the registration converges)', async () => {
    const proxy = await TcpProxy.start(fx.server.port);
    defer(() => proxy.close());
    const path = fresh();
    const errors: unknown[] = [];
    const reg = zookeeperRegistration({
      client: factory(proxy.connectionString).make, path, node: 'me', requestTimeout: 300, backoff: { min: 50, max: 100 },
      instance: { host: '127.0.0.1', port: 1111 }, onError: (e) => errors.push(e),
    });
    defer(() => reg.stop());
    expect(await reg.registered).toBe(`${path}/me`);
    expect(await dataOf(`${path}/me`)).toMatchObject({ port: 1111 });

    // A short network blip (well within the 2 s session): the update cannot reach ZooKeeper.
    proxy.cut();
    await expect(reg.update({ host: '127.0.0.1', port: 2222, zone: 'eu-2' })).rejects.toThrow();
    proxy.heal();

    // The session survived; the registration reconnects. The new record is what the registration
    // now holds (it would be written on any re-registration), so ZooKeeper should get it too.
    let data: Record<string, unknown> = {};
    for (let waited = 0; waited < 5_000; waited += 100) {
      data = await dataOf(`${path}/me`).catch(() => ({}));
      if (data.port === 2222) break;
      await sleep(100);
    }
    expect(data).toMatchObject({ port: 2222, zone: 'eu-2' });
  });

  it('update() after stop() does not resolve as if ZooKeeper had the record', async () => {
    const path = fresh();
    const reg = zookeeperRegistration({ client: factory().make, path, node: 'me', instance: { host: '127.0.0.1', port: 1111 } });
    defer(() => reg.stop());
    await reg.registered;
    await reg.stop();
    expect(await call<unknown>((cb) => fx.admin.exists(`${path}/me`, cb))).toBeNull();
    // "update: resolves once ZooKeeper has it" — the node is gone and nothing will ever write it.
    const outcome = await reg.update({ host: '127.0.0.1', port: 2222 }).then(() => 'resolved', () => 'rejected');
    expect(outcome).toBe('rejected');
  });

  it('refuses (ConfigError) an instance whose record zookeeperDiscovery would drop (over 64 KiB), as etcdRegistration does', async () => {
    const path = fresh();
    let reg: ReturnType<typeof zookeeperRegistration> | undefined;
    let thrown: unknown;
    try {
      reg = zookeeperRegistration({
        client: factory().make, path, node: 'big',
        instance: { host: '127.0.0.1', port: 1111, metadata: { description: 'x'.repeat(70_000) } },
      });
    } catch (err) {
      thrown = err;
    }
    if (reg !== undefined) {
      // It registers a node that every bulwark reader rejects ("record is … bytes, over the 65536-byte limit").
      await reg.registered;
      await until(async () => (await call<unknown>((cb) => fx.admin.exists(`${path}/big`, cb))) !== null, 2_000);
      await reg.stop();
    }
    expect(thrown).toBeInstanceOf(ConfigError);
  });

  // What broke: an update() made just after the node was deleted (by anyone) either rejected
  // with NO_NODE (its setData reached ZooKeeper before the registration made the node again)
  // or resolved while the node was still being made, before ZooKeeper had the record. It now
  // resolves once the node holds the new record.
  it('update() made just after the node was deleted resolves once ZooKeeper holds the new record, every time', async () => {
    const path = fresh();
    const reg = zookeeperRegistration({ client: factory().make, path, node: 'me', backoff: { min: 20, max: 50 }, instance: { host: '127.0.0.1', port: 1000 } });
    defer(() => reg.stop());
    await reg.registered;
    for (let port = 1001; port <= 1010; port++) {
      await call<void>((cb) => fx.admin.remove(`${path}/me`, -1, (e) => cb(e, undefined)));
      await reg.update({ host: '127.0.0.1', port });
      expect(await dataOf(`${path}/me`)).toMatchObject({ port });
    }
  });
});
