// bulwark/zookeeper's sessions and self-registration against a real ZooKeeper: a SIGKILLed
// registrant's ephemeral node going with its session, sessions expired by a network cut (a TCP
// proxy) and carried on with new clients, a client instance that can not, stale and deleted
// registration nodes, and an unreachable ZooKeeper.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import zookeeper from 'node-zookeeper-client';
import { expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { zookeeperDiscovery, zookeeperRegistration, ZookeeperError } from '../../src/zookeeper/index.js';
import { describeWith, freePort } from '../helpers/binaries.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';
import { bulwark, call, connected, events, eventually, noMoreThan, resources, SESSION_MS, urls, useZookeeper } from '../helpers/zookeeper-fixture.js';
import { TcpProxy, zookeeperBinary } from '../helpers/zookeeper-server.js';
import { stopFunction } from '../helpers/stop-function.js';

describeWith(zookeeperBinary, 'zookeeper sessions and registration (real ZooKeeper server)', () => {
  const { track, servers, defer } = closeAfterEach();
  const fx = useZookeeper();
  const { factory, fresh, mkdirp, put, del, children } = fx;

  it('registration replaces a stale node of another session, comes back when deleted, and updates its record', async () => {
    const [a] = await servers(ok());
    const path = fresh();
    await mkdirp(path);
    // A node under the same name, left by an older session (Curator deletes and re-creates it too).
    const older = await connected(fx.server.connectionString);
    defer(async () => older.close());
    await put(`${path}/fixed`, bulwark(1), zookeeper.CreateMode.EPHEMERAL, older);
    const f = factory();
    const reg = zookeeperRegistration({ client: f.make, path, node: 'fixed', instance: { host: '127.0.0.1', port: a!.port } });
    defer(() => reg.stop());
    expect(await reg.registered).toBe(`${path}/fixed`);
    const owner = async (): Promise<Buffer> => (await call<zookeeper.Stat>((cb) => fx.admin.exists(`${path}/fixed`, cb))).ephemeralOwner;
    expect((await owner()).equals(f.made[0]!.getSessionId())).toBe(true);

    const client = track(createClient({ name: 'reg', discovery: zookeeperDiscovery({ client: factory().make, path }) }));
    await until(() => urls(client).length === 1, 5_000);
    await reg.update({ host: '127.0.0.1', port: a!.port, zone: 'eu-3', weight: 5 });
    await until(() => client.endpoints()[0]?.zone === 'eu-3', 5_000);
    expect(client.endpoints()[0]).toMatchObject({ zone: 'eu-3', weight: 5 });

    // Someone deletes it: the registration puts it back.
    await del(`${path}/fixed`);
    await eventually(async () => (await children(path)).includes('fixed'), 5_000);
    expect((await owner()).equals(f.made[0]!.getSessionId())).toBe(true);
    await until(() => client.endpoints()[0]?.zone === 'eu-3', 5_000);
    await reg.stop();
    expect(await children(path)).toEqual([]);
  });

  it('registration against an unreachable ZooKeeper reports each failure, and stop() ends it', async () => {
    const errors: unknown[] = [];
    const nobody = await freePort(); // nothing listens there: every connection is refused
    const unreachable = () => zookeeper.createClient(`127.0.0.1:${nobody}`, { sessionTimeout: SESSION_MS, spinDelay: 50 });
    const baseline = resources();
    const reg = zookeeperRegistration({ client: unreachable, path: '/x', instance: { host: '127.0.0.1', port: 80 }, requestTimeout: 150, backoff: { min: 20, max: 40 }, onError: (e) => errors.push(e) });
    await until(() => errors.length >= 2, 5_000);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors[0]).toBeInstanceOf(ZookeeperError);
    expect((errors[0] as ZookeeperError).code).toBe('NOT_CONNECTED');
    await reg.stop();
    await expect(reg.registered).rejects.toThrow(/stopped/);
    const count = errors.length;
    await sleep(200);
    expect(errors.length).toBe(count);
    await until(() => noMoreThan(resources(), baseline), 3_000);
    expect(resources()).toSatisfy((now: Record<string, number>) => noMoreThan(now, baseline));
  });

  it('an onError that throws does not end the registration: it keeps trying', async () => {
    let calls = 0;
    const nobody = await freePort(); // nothing listens there: every connection is refused
    const unreachable = () => zookeeper.createClient(`127.0.0.1:${nobody}`, { sessionTimeout: SESSION_MS, spinDelay: 50 });
    const reg = zookeeperRegistration({ client: unreachable, path: '/x', instance: { host: '127.0.0.1', port: 80 }, requestTimeout: 150, backoff: { min: 20, max: 40 }, onError: () => { calls++; throw new Error('a listener bug'); } });
    defer(() => reg.stop());
    await until(() => calls >= 3, 5_000);
    expect(calls).toBeGreaterThanOrEqual(3);
    await reg.stop();
  });

  it('a client function that hands back the same client twice is reported, not looped on', async () => {
    const nobody = await freePort();
    const same = zookeeper.createClient(`127.0.0.1:${nobody}`, { sessionTimeout: 300, spinDelay: 50 });
    const errors: ZookeeperError[] = [];
    const stop = stopFunction(zookeeperDiscovery({ client: () => same, path: '/x', backoff: { min: 20, max: 40 } }).watch(() => {}, (e) => errors.push(e as ZookeeperError), () => {}));
    await until(() => errors.some((e) => e.code === 'CLIENT_ERROR'), 5_000);
    await stop();
    expect(errors.find((e) => e.code === 'CLIENT_ERROR')!.message).toMatch(/create a new one each time/);
    // Given up after its session timeout without a connection, and closed by bulwark.
    expect(errors.some((e) => e.code === 'SESSION_EXPIRED')).toBe(true);
    expect((same as unknown as { connectionManager: { state: number } }).connectionManager.state).toBe(-2);
  });

  it("drops a SIGKILLed registrant's ephemeral node when its session times out", async () => {
    const [a, b] = await servers(ok(), ok());
    const path = fresh();
    await mkdirp(path);
    await put(`${path}/a`, bulwark(a!.port), zookeeper.CreateMode.EPHEMERAL);
    const client = track(createClient({ name: 'crash', discovery: zookeeperDiscovery({ client: factory().make, path }) }));
    // Another process registers b with a 2 s session, then is killed without closing it.
    const lib = createRequire(import.meta.url).resolve('node-zookeeper-client');
    const script = `const zk = require(${JSON.stringify(lib)});
      const c = zk.createClient(${JSON.stringify(fx.server.connectionString)}, { sessionTimeout: ${SESSION_MS} });
      c.once('connected', () => c.create(${JSON.stringify(`${path}/b`)}, Buffer.from(${JSON.stringify(bulwark(b!.port))}), zk.CreateMode.EPHEMERAL, (e) => { if (e) throw e; console.log('registered'); }));
      c.connect();`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    defer(async () => { child.kill('SIGKILL'); });
    await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('registered')) resolve(); }));
    await until(() => urls(client).length === 2, 5_000);
    expect(urls(client)).toEqual([a!.url, b!.url].sort());
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await until(() => urls(client).length === 1, 15_000);
    expect(urls(client)).toEqual([a!.url]);
    // Not before the session could have timed out: the node went with the session, not the socket.
    // (It pings after a third of the session idle: its last packet may be that much older than the kill.)
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(SESSION_MS - Math.floor(SESSION_MS / 3) - 100);
    expect(await (await client.fetch('/')).text()).toBe(String(a!.port));
  });

  it('opens a new session after its own expired (a network cut longer than the session): watches and the registration come back', async () => {
    const [a, b] = await servers(ok(), ok());
    const path = fresh();
    const proxy = await TcpProxy.start(fx.server.port);
    defer(() => proxy.close());
    const fd = factory(proxy.connectionString);
    const fr = factory(proxy.connectionString);
    const reg = zookeeperRegistration({ client: fr.make, path, instance: { host: '127.0.0.1', port: a!.port } });
    defer(() => reg.stop());
    const first = await reg.registered;
    const client = track(createClient({ name: 'expiry', discovery: zookeeperDiscovery({ client: fd.make, path, backoff: { min: 100, max: 200 } }) }));
    const errors = events(client, 'discoveryError');
    await until(() => urls(client).length === 1, 5_000);

    // Cut both sessions off for longer than their timeout: ZooKeeper expires them and deletes the node.
    proxy.cut();
    await eventually(async () => (await children(path)).length === 0, 10_000);
    expect(await children(path)).toEqual([]);
    expect(urls(client)).toEqual([a!.url]); // kept meanwhile
    expect(errors.some((e) => (e.error as ZookeeperError).code === 'CONNECTION_LOSS')).toBe(true);
    proxy.heal();
    await until(() => errors.some((e) => (e.error as ZookeeperError).code === 'SESSION_EXPIRED'), 10_000);
    expect(errors.some((e) => (e.error as ZookeeperError).code === 'SESSION_EXPIRED')).toBe(true);
    // New clients, new sessions: the registration is back, owned by the new session...
    await until(() => fr.made.length === 2 && reg.node !== undefined, 10_000);
    expect(reg.node).toBe(first);
    await eventually(async () => (await children(path)).length === 1, 5_000);
    const stat = await call<zookeeper.Stat>((cb) => fx.admin.exists(reg.node!, cb));
    expect(stat.ephemeralOwner.equals(fr.made[1]!.getSessionId())).toBe(true);
    // ...and discovery follows changes again through its new watches.
    await until(() => fd.made.length === 2, 5_000);
    expect(fd.made).toHaveLength(2);
    await put(`${path}/b`, bulwark(b!.port), zookeeper.CreateMode.EPHEMERAL);
    await until(() => urls(client).length === 2, 5_000);
    expect(urls(client)).toEqual([a!.url, b!.url].sort());
    // The expired clients are closed, not reconnecting.
    expect(fd.made[0]!.getState().code).not.toBe(3);
  });

  it('a client instance whose session expired reports it, keeps the set, and is never closed by bulwark', async () => {
    const [a] = await servers(ok());
    const path = fresh();
    await mkdirp(path);
    await put(`${path}/a`, bulwark(a!.port));
    const proxy = await TcpProxy.start(fx.server.port);
    defer(() => proxy.close());
    const own = await connected(proxy.connectionString);
    const marker = await put(fresh(), '', zookeeper.CreateMode.EPHEMERAL, own); // goes when its session expires
    const listeners = own.listenerCount('connected');
    const client = track(createClient({ name: 'instance', discovery: zookeeperDiscovery({ client: own, path, backoff: { min: 50, max: 100 } }) }));
    const errors = events(client, 'discoveryError');
    await until(() => urls(client).length === 1, 5_000);
    proxy.cut();
    await until(async () => (await call<zookeeper.Stat | null>((cb) => fx.admin.exists(marker, cb))) === null, 10_000);
    proxy.heal();
    await until(() => errors.filter((e) => (e.error as ZookeeperError).code === 'SESSION_EXPIRED').length >= 3, 10_000);
    expect(errors.filter((e) => (e.error as ZookeeperError).code === 'SESSION_EXPIRED').length).toBeGreaterThanOrEqual(3);
    expect((errors.at(-1)!.error as Error).message).toMatch(/pass `client` as a function/);
    expect(urls(client)).toEqual([a!.url]);
    await client.close();
    expect(own.listenerCount('connected')).toBe(listeners);
    expect(own.listenerCount('expired')).toBe(0);
  });
});
