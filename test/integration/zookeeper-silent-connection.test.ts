// What broke: over a connection that went silent (a partition that drops packets instead of
// resetting; a frozen server) node-zookeeper-client stays "connected" for ever: it never times
// out its unanswered pings. zookeeperDiscovery reported nothing and opened no new session while
// the server expired the old one: the set stayed stale, silently. docs/discovery.md promises a
// lost connection reported at once and `requestTimeout` as the Java client's read timeout,
// which drops a server it has not heard from for that long. A registration's node was deleted
// with the expired session and never created again.
import type { Client as ZkClient } from 'node-zookeeper-client';
import { expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { zookeeperDiscovery, zookeeperRegistration, type ZookeeperError } from '../../src/zookeeper/index.js';
import { describeWith } from '../helpers/binaries.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { bulwark, connected, SESSION_MS, urls, useZookeeper } from '../helpers/zookeeper-fixture.js';
import { TcpProxy, zookeeperBinary } from '../helpers/zookeeper-server.js';

/** A client of the user's that wraps node-zookeeper-client's (hiding its internals): it has only the methods bulwark calls. */
function wrapped(inner: ZkClient): ZkClient {
  const methods = ['connect', 'close', 'getChildren', 'getData', 'exists', 'create', 'remove', 'getState', 'getSessionId', 'getSessionTimeout', 'on', 'removeListener', 'setData', 'mkdirp'] as const;
  const outer: Record<string, unknown> = {};
  for (const m of methods) outer[m] = (...args: unknown[]) => (inner[m] as (...a: unknown[]) => unknown).apply(inner, args);
  return outer as unknown as ZkClient;
}

describeWith(zookeeperBinary, 'zookeeper adapters over a connection that went silent (real ZooKeeper)', () => {
  const { track, defer } = closeAfterEach();
  const zk = useZookeeper();

  /** A service path with one instance, and a proxy to the server (closed after the test). */
  async function serviceBehindProxy(): Promise<{ path: string; proxy: TcpProxy }> {
    const path = zk.fresh();
    await zk.mkdirp(path);
    await zk.put(`${path}/a`, bulwark(8001));
    const proxy = await TcpProxy.start(zk.server.port);
    defer(() => proxy.close());
    return { path, proxy };
  }

  it('zookeeperDiscovery reports the silent connection as lost, and reads the set again once reconnected', async () => {
    const { path, proxy } = await serviceBehindProxy();
    const client = track(createClient({
      name: 'svc',
      discovery: zookeeperDiscovery({ client: zk.factory(proxy.connectionString).make, path, backoff: { min: 100, max: 500 } }),
    }));
    const errors: unknown[] = [];
    client.on('discoveryError', (e) => errors.push(e.error));
    await until(() => client.endpoints().length === 1, 20_000);
    proxy.mute(); // the open connection goes silent; new ones get through
    await zk.put(`${path}/b`, bulwark(8002));
    // Noticed within a session timeout (a question every third of it, two thirds to answer it).
    await until(() => errors.length > 0, 3 * SESSION_MS);
    expect((errors[0] as ZookeeperError).code).toBe('CONNECTION_LOSS');
    // node-zookeeper-client reconnects (on the same session, which the server still has) and the set is read again.
    await until(() => urls(client).length === 2, 10 * SESSION_MS);
  });

  it('a client function whose clients bulwark cannot drop the connection of (wrappers) gets a new client, which sees the change', async () => {
    const { path, proxy } = await serviceBehindProxy();
    const f = zk.factory(proxy.connectionString);
    const client = track(createClient({
      name: 'svc',
      discovery: zookeeperDiscovery({ client: () => wrapped(f.make()), path, backoff: { min: 100, max: 500 } }),
    }));
    await until(() => client.endpoints().length === 1, 20_000);
    proxy.mute();
    await zk.put(`${path}/b`, bulwark(8002));
    await until(() => urls(client).length === 2, 10 * SESSION_MS);
    expect(f.made.length).toBe(2);
  });

  it('a client instance of the user\'s that bulwark cannot drop the connection of: the silence is reported as a lost connection', async () => {
    const { path, proxy } = await serviceBehindProxy();
    const inner = await connected(proxy.connectionString);
    defer(async () => { inner.close(); });
    const client = track(createClient({ name: 'svc', discovery: zookeeperDiscovery({ client: wrapped(inner), path, backoff: { min: 100, max: 500 } }) }));
    const errors: unknown[] = [];
    client.on('discoveryError', (e) => errors.push(e.error));
    await until(() => client.endpoints().length === 1, 20_000);
    proxy.mute();
    await until(() => errors.length > 0, 3 * SESSION_MS);
    expect((errors[0] as ZookeeperError).code).toBe('CONNECTION_LOSS');
    expect(client.endpoints()).toHaveLength(1); // the last set stays
  });

  it('zookeeperRegistration reconnects before the server expires the session, and its node stays registered', async () => {
    const path = zk.fresh();
    const proxy = await TcpProxy.start(zk.server.port);
    defer(() => proxy.close());
    const errors: unknown[] = [];
    const reg = zookeeperRegistration({ client: zk.factory(proxy.connectionString).make, path, instance: { host: '127.0.0.1', port: 8080 }, backoff: { min: 100, max: 200 }, onError: (e) => errors.push(e) });
    defer(() => reg.stop());
    await reg.registered;
    expect(await zk.children(path)).toHaveLength(1);
    proxy.mute();
    // Noticed within the session timeout, and the session resumed over a new connection.
    await until(() => errors.length > 0, 3 * SESSION_MS);
    expect((errors[0] as ZookeeperError).code).toBe('CONNECTION_LOSS');
    // Left silent, the server would have expired the session by now and deleted the node.
    await sleep(2 * SESSION_MS);
    expect(await zk.children(path)).toHaveLength(1);
  });
});
