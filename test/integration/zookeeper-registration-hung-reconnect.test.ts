// What broke: a zookeeperRegistration whose client hangs reconnecting (a server that accepts the connection and never answers) is never replaced, so its node, dropped with the expired session, is never created again.
import { expect, it } from 'vitest';
import { zookeeperRegistration } from '../../src/zookeeper/index.js';
import { describeWith } from '../helpers/binaries.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';
import { useZookeeper } from '../helpers/zookeeper-fixture.js';
import { TcpProxy, zookeeperBinary } from '../helpers/zookeeper-server.js';

describeWith(zookeeperBinary, 'zookeeperRegistration with a client hung on a silent server (real ZooKeeper)', () => {
  const { defer } = closeAfterEach();
  const fx = useZookeeper();

  it('creates its node again with a new session once the hung client has been without a connection for its session timeout', async () => {
    const path = fx.fresh();
    const proxy = await TcpProxy.start(fx.server.port);
    defer(() => proxy.close());
    const f = fx.factory(proxy.connectionString);
    const reg = zookeeperRegistration({ client: f.make, path, instance: { host: '127.0.0.1', port: 8080 }, backoff: { min: 100, max: 200 } });
    defer(() => reg.stop());
    await reg.registered;
    expect(await fx.children(path)).toHaveLength(1);

    // The client reconnects into a silent connection and waits there (node-zookeeper-client 1.1.3
    // waits on one forever: docs/discovery.md, "Clients and sessions"); ZooKeeper expires the
    // session (2 s) and deletes the node.
    proxy.silence();
    await until(async () => (await fx.children(path)).length === 0, 10_000);
    proxy.heal();

    // Docs: a client of ours without a connection for its whole session timeout is replaced, and
    // for a registration, its node is created again. The discovery adapter does this; the
    // registration never calls ready() while disconnected, so nothing replaces the hung client.
    await until(async () => (await fx.children(path)).length === 1, 12_000);
    expect(f.made.length).toBeGreaterThanOrEqual(2);
  }, 40_000);
});
