// zookeeperRegistration against a real ZooKeeper, in the races a review found: a sequential
// create whose answer a dropped connection lost (CONNECTION_LOSS) made a second node of the same
// session; update() while the first create was in flight resolved but the node kept the old
// record; stop() with the user's own client, briefly disconnected, left the node registered for
// as long as that client lived.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import zookeeper, { type Client as ZkClient } from 'node-zookeeper-client';
import { expect, it } from 'vitest';
import { zookeeperRegistration } from '../../src/zookeeper/index.js';
import { describeWith } from '../helpers/binaries.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { call, connected, SESSION_MS, useZookeeper } from '../helpers/zookeeper-fixture.js';
import { TcpProxy, zookeeperBinary } from '../helpers/zookeeper-server.js';

/**
 * A proxy to ZooKeeper that can lose one answer: after `loseNextAnswer()`, nothing more goes
 * from the server to the client, and 300 ms later (the server has handled the request by then)
 * every connection is dropped. The server keeps the session: the client reconnects to it.
 */
class LossyProxy {
  private readonly pairs = new Set<{ inbound: Socket; outbound: Socket; mute: { on: boolean } }>();
  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(targetPort: number): Promise<LossyProxy> {
    const holder: { p?: LossyProxy } = {};
    const server = createServer((inbound) => {
      const self = holder.p!;
      const outbound = connect(targetPort, '127.0.0.1');
      const pair = { inbound, outbound, mute: { on: false } };
      self.pairs.add(pair);
      for (const s of [inbound, outbound]) {
        s.on('error', () => {});
        s.on('close', () => {
          self.pairs.delete(pair);
          inbound.destroy();
          outbound.destroy();
        });
      }
      inbound.on('data', (d) => outbound.write(d));
      outbound.on('data', (d) => { if (!pair.mute.on) inbound.write(d); });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.p = new LossyProxy(server, (server.address() as AddressInfo).port);
    return holder.p;
  }

  get connectionString(): string {
    return `127.0.0.1:${this.port}`;
  }

  loseNextAnswer(): void {
    for (const p of this.pairs) p.mute.on = true;
    setTimeout(() => {
      for (const p of this.pairs) { p.inbound.destroy(); p.outbound.destroy(); }
    }, 300);
  }

  async close(): Promise<void> {
    for (const p of this.pairs) { p.inbound.destroy(); p.outbound.destroy(); }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

type Create = ZkClient['create'];

describeWith(zookeeperBinary, 'zookeeperRegistration races (real ZooKeeper)', () => {
  const { defer } = closeAfterEach();
  const fx = useZookeeper();
  const { fresh, mkdirp, children } = fx;

  it('a sequential create whose answer is lost to a dropped connection does not leave a second node of the same session', async () => {
    const proxy = await LossyProxy.start(fx.server.port);
    defer(() => proxy.close());
    const path = fresh();
    await mkdirp(path);
    let armed = true;
    const made: ZkClient[] = [];
    const make = (): ZkClient => {
      const c = zookeeper.createClient(proxy.connectionString, { sessionTimeout: 10_000, spinDelay: 100 });
      made.push(c);
      const create = c.create.bind(c) as Create;
      (c as { create: Create }).create = ((p: string, ...rest: unknown[]) => {
        // The registration's own node: its answer is lost (the connection drops before it arrives).
        if (armed && p.startsWith(`${path}/member_`)) {
          armed = false;
          proxy.loseNextAnswer();
        }
        return (create as (...a: unknown[]) => void)(p, ...rest);
      }) as Create;
      return c;
    };
    const reg = zookeeperRegistration({ client: make, path, format: 'serverset', instance: { host: '127.0.0.1', port: 8080 }, backoff: { min: 50, max: 100 }, requestTimeout: 3_000 });
    defer(() => reg.stop());
    await reg.registered;
    expect(armed).toBe(false);
    // One client, one session throughout (the server kept it across the dropped connection).
    expect(made.length).toBe(1);
    await sleep(500);
    const names = await children(path);
    const owners = await Promise.all(names.map(async (n) => (await call<zookeeper.Stat>((cb) => fx.admin.exists(`${path}/${n}`, cb))).ephemeralOwner.toString('hex')));
    // Every node there belongs to the registration's one live session.
    expect(new Set(owners)).toEqual(new Set([made[0]!.getSessionId().toString('hex')]));
    // Docs: "after a lost answer to a sequential create, the session's own node is found instead of making a second".
    expect(names).toHaveLength(1);
  });

  it('update() while the first create is in flight ends with the new record in ZooKeeper', async () => {
    const path = fresh();
    await mkdirp(path);
    let reg: ReturnType<typeof zookeeperRegistration> | undefined;
    let updated: Promise<void> | undefined;
    const make = (): ZkClient => {
      const c = zookeeper.createClient(fx.server.connectionString, { sessionTimeout: SESSION_MS, spinDelay: 100 });
      const create = c.create.bind(c) as Create;
      (c as { create: Create }).create = ((p: string, ...rest: unknown[]) => {
        const r = (create as (...a: unknown[]) => void)(p, ...rest);
        // The user updates the record while the node's create is on its way to ZooKeeper.
        if (p === `${path}/me` && updated === undefined) updated = reg!.update({ host: '127.0.0.1', port: 9090, zone: 'eu-2' });
        return r;
      }) as Create;
      return c;
    };
    reg = zookeeperRegistration({ client: make, path, node: 'me', instance: { host: '127.0.0.1', port: 8080 } });
    defer(() => reg!.stop());
    expect(await reg.registered).toBe(`${path}/me`);
    expect(updated).toBeDefined();
    await updated; // "resolves once ZooKeeper has it"
    const read = async (): Promise<Record<string, unknown>> => JSON.parse((await call<Buffer>((cb) => fx.admin.getData(`${path}/me`, (e, d) => cb(e, d)))).toString());
    expect(await read()).toMatchObject({ host: '127.0.0.1', port: 9090, zone: 'eu-2' });
  });

  it('stop() with the user\'s client instance while it is briefly disconnected still removes the node once it is back', async () => {
    const proxy = await TcpProxy.start(fx.server.port);
    defer(() => proxy.close());
    const path = fresh();
    await mkdirp(path);
    // The user's own client (bulwark neither connects nor closes it); its session outlives short cuts.
    const own = await connected(proxy.connectionString, 6_000);
    defer(async () => own.close());
    const reg = zookeeperRegistration({ client: own, path, node: 'me', instance: { host: '127.0.0.1', port: 8080 } });
    expect(await reg.registered).toBe(`${path}/me`);
    proxy.cut();
    await until(() => own.getState().code !== zookeeper.State.SYNC_CONNECTED.code, 3_000);
    const stopping = reg.stop();
    await sleep(300);
    proxy.heal();
    await until(() => own.getState().code === zookeeper.State.SYNC_CONNECTED.code, 5_000);
    await stopping;
    // The user's client is back on the same session (it outlives the registration): stop() waited
    // for it, up to requestTimeout, and removed the node.
    expect(await children(path)).toEqual([]);
  });
});
