// What broke: a zookeeperRegistration given a client instance (which it cannot replace) started a
// pass on every lost connection, and so did an update() during the outage; each pass failed
// with NOT_CONNECTED and was retried on its backoff: `onError` heard NOT_CONNECTED every
// `requestTimeout` + 100–200 ms for as long as the outage lasted. Now the instance is left to
// reconnect and its `connected` starts the next pass, which writes what update() was given.
import { expect, it } from 'vitest';
import { zookeeperRegistration, type ZookeeperError } from '../../src/zookeeper/index.js';
import { describeWith } from '../helpers/binaries.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { call, connected, useZookeeper } from '../helpers/zookeeper-fixture.js';
import { TcpProxy, zookeeperBinary } from '../helpers/zookeeper-server.js';

describeWith(zookeeperBinary, 'zookeeperRegistration with a client instance through an outage (real ZooKeeper)', () => {
  const { defer } = closeAfterEach();
  const fx = useZookeeper();

  it.each([[false], [true]])('reports the lost connection once, and its node stays while the session lives (update() during the outage: %s)', async (updating) => {
    const path = fx.fresh();
    const proxy = await TcpProxy.start(fx.server.port);
    defer(() => proxy.close());
    const client = await connected(proxy.connectionString);
    defer(async () => client.close());
    const codes: string[] = [];
    const reg = zookeeperRegistration({
      client, path, instance: { host: '127.0.0.1', port: 8080 }, backoff: { min: 100, max: 200 }, requestTimeout: 300,
      onError: (e) => codes.push((e as ZookeeperError).code),
    });
    defer(() => reg.stop());
    await reg.registered;

    // Shorter than the 2 s session timeout: the session, and with it the node, live on.
    proxy.cut();
    await until(() => codes.includes('CONNECTION_LOSS'), 5_000);
    // The caller of update() hears that it could not write now (the registration writes it once reconnected).
    if (updating) expect(await reg.update({ host: '127.0.0.1', port: 8081 }).catch((e: ZookeeperError) => e.code)).toBe('NOT_CONNECTED');
    await sleep(1_000);
    proxy.heal();
    await until(() => client.getState().name === 'SYNC_CONNECTED', 10_000);
    await sleep(300);
    const nodes = await fx.children(path);
    expect(nodes).toHaveLength(1);
    await until(async () => JSON.parse(String(await call<Buffer>((cb) => fx.admin.getData(`${path}/${nodes[0]}`, cb)))).port === (updating ? 8081 : 8080), 5_000);
    expect(codes.filter((c) => c === 'CONNECTION_LOSS')).toHaveLength(1);
    expect(codes.filter((c) => c === 'NOT_CONNECTED')).toEqual([]);
  }, 30_000);
});
