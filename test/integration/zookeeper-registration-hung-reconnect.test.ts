// What broke: a zookeeperRegistration whose client hangs reconnecting (a server that accepts the connection and never answers) is never replaced, so its node, dropped with the expired session, is never created again.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { expect, it } from 'vitest';
import { zookeeperRegistration } from '../../src/zookeeper/index.js';
import { describeWith } from '../helpers/binaries.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';
import { useZookeeper } from '../helpers/zookeeper-fixture.js';
import { zookeeperBinary } from '../helpers/zookeeper-server.js';

/**
 * A proxy to ZooKeeper that can go silent: while silent, existing connections are dropped and new
 * ones are accepted but never answered (a server that is starting, or a half-open path), which
 * node-zookeeper-client 1.1.3 waits on forever (docs/discovery.md, "Clients and sessions").
 */
class SilentProxy {
  private readonly sockets = new Set<Socket>();
  private silent = false;
  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(target: number): Promise<SilentProxy> {
    const holder: { p?: SilentProxy } = {};
    const server = createServer((inbound) => {
      const self = holder.p!;
      self.sockets.add(inbound);
      inbound.on('error', () => {});
      inbound.on('close', () => self.sockets.delete(inbound));
      if (self.silent) return; // accepted, never answered
      const outbound = connect(target, '127.0.0.1');
      self.sockets.add(outbound);
      outbound.on('error', () => {});
      for (const s of [inbound, outbound]) s.on('close', () => { self.sockets.delete(outbound); inbound.destroy(); outbound.destroy(); });
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.p = new SilentProxy(server, (server.address() as AddressInfo).port);
    return holder.p;
  }

  get connectionString(): string {
    return `127.0.0.1:${this.port}`;
  }

  goSilent(): void {
    this.silent = true;
    for (const s of this.sockets) s.destroy();
  }

  speak(): void {
    this.silent = false;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describeWith(zookeeperBinary, 'zookeeperRegistration with a client hung on a silent server (real ZooKeeper)', () => {
  const { defer } = closeAfterEach();
  const fx = useZookeeper();

  it('creates its node again with a new session once the hung client has been without a connection for its session timeout', async () => {
    const path = fx.fresh();
    const proxy = await SilentProxy.start(fx.server.port);
    defer(() => proxy.close());
    const f = fx.factory(proxy.connectionString);
    const reg = zookeeperRegistration({ client: f.make, path, instance: { host: '127.0.0.1', port: 8080 }, backoff: { min: 100, max: 200 } });
    defer(() => reg.stop());
    await reg.registered;
    expect(await fx.children(path)).toHaveLength(1);

    // The client reconnects into a silent connection and waits there; ZooKeeper expires the
    // session (2 s) and deletes the node.
    proxy.goSilent();
    await until(async () => (await fx.children(path)).length === 0, 10_000);
    proxy.speak();

    // Docs: a client of ours without a connection for its whole session timeout is replaced, and
    // for a registration, its node is created again. The discovery adapter does this; the
    // registration never calls ready() while disconnected, so nothing replaces the hung client.
    await until(async () => (await fx.children(path)).length === 1, 12_000);
    expect(f.made.length).toBeGreaterThanOrEqual(2);
  }, 40_000);
});
