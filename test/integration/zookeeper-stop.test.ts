// Stopping zookeeperDiscovery (client.close()) while its ZooKeeper client is still connecting,
// against a real ZooKeeper: node-zookeeper-client can not be closed mid-connect (its close
// request goes out ahead of the connect answer, which it then misreads: an uncaught exception,
// and the session it opened stays on the server). close() must leave no session, socket or
// exception behind. Sessions are counted with ZooKeeper's `dump` four-letter command.
import { readFile, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import zookeeper, { type Client as ZkClient } from 'node-zookeeper-client';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { zookeeperDiscovery } from '../../src/zookeeper/index.js';
import { describeWith } from '../helpers/binaries.js';
import { openSockets, sleep, until } from '../helpers/lifecycle.js';
import { bulwark, call, CONNECT_MS, connected } from '../helpers/zookeeper-fixture.js';
import { START_MS, zookeeperBinary, ZookeeperServer } from '../helpers/zookeeper-server.js';

/** A four-letter command's answer. */
function fourLetter(port: number, command: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('connect', () => socket.end(command));
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => resolve(answer));
  });
}

/** A proxy to ZooKeeper that holds every answer `ms`: a slow server, so a stop lands mid-connect. */
async function slowProxy(target: number, ms: number): Promise<{ connectionString: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = connect(target, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        setTimeout(() => { inbound.destroy(); outbound.destroy(); }, ms);
      });
    }
    inbound.on('data', (d: Buffer) => outbound.write(d));
    outbound.on('data', (d: Buffer) => setTimeout(() => inbound.write(d), ms));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    connectionString: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describeWith(zookeeperBinary, 'stopping zookeeperDiscovery while its client connects (real ZooKeeper)', () => {
  let server: ZookeeperServer;
  let admin: ZkClient;
  beforeAll(async () => {
    // The helper's server, restarted with every four-letter command allowed (`dump` lists sessions).
    server = await ZookeeperServer.start();
    await server.kill();
    const cfg = join(server.dir, 'zoo.cfg');
    await writeFile(cfg, (await readFile(cfg, 'utf8')).replace('4lw.commands.whitelist=ruok', '4lw.commands.whitelist=*'));
    await server.run();
    admin = await connected(server.connectionString);
    await call((cb) => admin.mkdirp('/services/users', cb));
    await call((cb) => admin.create('/services/users/a', Buffer.from(bulwark(8080)), zookeeper.CreateMode.PERSISTENT, cb));
  }, 2 * START_MS + CONNECT_MS + 5_000);
  afterAll(async () => {
    admin?.close();
    await server?.close();
  });

  // An uncaught exception from node-zookeeper-client would end a real process.
  let uncaught: unknown[] = [];
  const onUncaught = (err: unknown): void => void uncaught.push(err);
  beforeEach(() => {
    uncaught = [];
    process.on('uncaughtException', onUncaught);
  });
  afterEach(() => {
    process.off('uncaughtException', onUncaught);
  });

  /** Sessions ZooKeeper holds now (the admin client's among them). */
  const sessions = async (): Promise<number> => Number(/Session Sets \(\d+\)\/\((\d+)\)/.exec(await fourLetter(server.port, 'dump'))?.[1]);
  const factory = (conn: string): { make: () => ZkClient; made: ZkClient[] } => {
    const made: ZkClient[] = [];
    return { made, make: () => { const c = zookeeper.createClient(conn, { sessionTimeout: 5_000, spinDelay: 100 }); made.push(c); return c; } };
  };
  const internals = (c: ZkClient): { state: number; socket?: { destroyed: boolean } } => (c as unknown as { connectionManager: { state: number; socket?: { destroyed: boolean } } }).connectionManager;

  it('a client closed right after it was created (its ZooKeeper client not yet connected) leaves no session, socket or exception', async () => {
    const baseline = await sessions();
    const sockets = openSockets();
    const f = factory(server.connectionString);
    const client = createClient({ name: 'users', discovery: zookeeperDiscovery({ client: f.make, path: '/services/users' }) });
    await client.close();
    expect(f.made).toHaveLength(1);
    expect(internals(f.made[0]!).state).toBe(-2); // CLOSED
    expect(openSockets()).toBe(sockets);
    await sleep(500); // nor a connection made after the stop
    expect(openSockets()).toBe(sockets);
    expect(await sessions()).toBe(baseline);
    expect(uncaught).toEqual([]);
  });

  it('a client closed while ZooKeeper has not answered its connect request leaves no session, socket or exception', async () => {
    const proxy = await slowProxy(server.port, 500);
    try {
      const baseline = await sessions();
      const f = factory(proxy.connectionString);
      const client = createClient({ name: 'users', discovery: zookeeperDiscovery({ client: f.make, path: '/services/users' }) });
      await until(() => internals(f.made[0]!).socket?.destroyed === false, 2_000);
      await sleep(100); // the connect request is out; its answer is 400 ms away
      await client.close();
      expect(internals(f.made[0]!).state).toBe(-2);
      expect(internals(f.made[0]!).socket?.destroyed).toBe(true);
      await sleep(1_200);
      expect(await sessions()).toBe(baseline);
      expect(uncaught).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('a client closed from its first endpoints listener leaves no session or socket', async () => {
    const baseline = await sessions();
    const sockets = openSockets();
    const f = factory(server.connectionString);
    const client = createClient({ name: 'users', discovery: zookeeperDiscovery({ client: f.make, path: '/services/users' }) });
    let closed: Promise<void> | undefined;
    client.once('endpoints', () => { closed = client.close(); });
    await until(() => closed !== undefined, 5_000);
    await closed;
    expect(internals(f.made[0]!).state).toBe(-2);
    await until(() => openSockets() <= sockets, 1_000);
    expect(await sessions()).toBe(baseline);
    expect(f.made).toHaveLength(1);
    expect(uncaught).toEqual([]);
  });
});
