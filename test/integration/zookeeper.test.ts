// bulwark/zookeeper's discovery against a real ZooKeeper (ZooKeeperServerMain from Debian's
// `zookeeper` package, started here on a free port): instances coming and going with real calls,
// every record format, garbage data, a missing path, a server restart, and stop leaving nothing.
// Sessions (expiry, a killed registrant) and registration: zookeeper-sessions.test.ts.
import zookeeper from 'node-zookeeper-client';
import { expect, it } from 'vitest';
import { ConfigError, createClient, roundRobin } from '../../src/index.js';
import { zookeeperDiscovery, zookeeperRegistration } from '../../src/zookeeper/index.js';
import { describeWith } from '../helpers/binaries.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';
import { bulwark, call, CONNECT_MS, connected, events, noMoreThan, resources, urls, useZookeeper } from '../helpers/zookeeper-fixture.js';
import { START_MS, zookeeperBinary } from '../helpers/zookeeper-server.js';
import { stopFunction } from '../helpers/stop-function.js';

describeWith(zookeeperBinary, 'zookeeper discovery (real ZooKeeper server)', () => {
  const { track, servers, defer } = closeAfterEach();
  const fx = useZookeeper();
  const { factory, fresh, mkdirp, put, set, del, children } = fx;

  it('follows instances as they register and go, and real calls reach them', async () => {
    const [a, b] = await servers(ok(), ok());
    const path = fresh();
    await mkdirp(path);
    await put(`${path}/a`, bulwark(a!.port), zookeeper.CreateMode.EPHEMERAL);
    const f = factory();
    const client = track(createClient({ name: 'users', picker: roundRobin(), discovery: zookeeperDiscovery({ client: f.make, path }) }));
    expect(await (await client.fetch('/')).text()).toBe(String(a!.port));

    const reg = zookeeperRegistration({ client: f.make, path, instance: { host: '127.0.0.1', port: b!.port }, format: 'curator' });
    defer(() => reg.stop());
    const node = await reg.registered;
    expect(node.startsWith(`${path}/`)).toBe(true);
    await until(() => urls(client).length === 2, 5_000);
    expect(urls(client)).toEqual([a!.url, b!.url].sort());
    const bodies = new Set<string>();
    for (let i = 0; i < 20; i++) bodies.add(await (await client.fetch('/')).text());
    expect(bodies).toEqual(new Set([String(a!.port), String(b!.port)]));

    await reg.stop();
    expect(await children(path)).toEqual(['a']);
    await until(() => urls(client).length === 1, 5_000);
    expect(urls(client)).toEqual([a!.url]);
    await del(`${path}/a`);
    await until(() => urls(client).length === 0, 5_000);
    expect(urls(client)).toEqual([]);
  });

  it('reads Curator, serverset and bulwark records, follows data changes, and drops garbage with endpointRejected', async () => {
    const [a, b, c] = await servers(ok(), ok(), ok());
    const path = fresh();
    await mkdirp(path);
    await put(`${path}/curator-1`, JSON.stringify({ name: 'users', id: 'curator-1', address: '127.0.0.1', port: a!.port, sslPort: null, payload: { '@class': 'x.Y', zone: 'eu-1' }, registrationTimeUTC: 1, serviceType: 'DYNAMIC', uriSpec: null }));
    await put(`${path}/curator-tls`, JSON.stringify({ name: 'users', id: 'curator-tls', address: 'localhost', port: 1111, sslPort: 8443, serviceType: 'DYNAMIC' }));
    await put(`${path}/curator-off`, JSON.stringify({ name: 'users', id: 'x', address: '127.0.0.1', port: 1, enabled: false }));
    await put(`${path}/member_0000000001`, JSON.stringify({ serviceEndpoint: { host: '127.0.0.1', port: b!.port }, additionalEndpoints: {}, status: 'ALIVE', shard: 3 }));
    await put(`${path}/member_0000000002`, JSON.stringify({ serviceEndpoint: { host: '127.0.0.1', port: 2 }, additionalEndpoints: {}, status: 'DEAD' }));
    await put(`${path}/plain`, bulwark(c!.port, { zone: 'eu-2', weight: 3 }));
    await put(`${path}/not-json`, 'host=1.2.3.4');
    await put(`${path}/proto`, '{"host":"127.0.0.1","port":1,"__proto__":{"x":1}}');
    await put(`${path}/bad-port`, bulwark(70_000));
    await put(`${path}/unknown`, '{"ip":"1.2.3.4"}');
    await put(`${path}/empty`, '');
    // Readable by someone else only (its ACL): dropped, and the others still read.
    const onlyThem = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('digest', 'them:2jmj7l5rSw0yVb/vlWAYkK/YBwk='))];
    await call((cb) => fx.admin.create(`${path}/locked`, Buffer.from(bulwark(1)), onlyThem, zookeeper.CreateMode.PERSISTENT, cb));

    const client = track(createClient({ name: 'users', discovery: zookeeperDiscovery({ client: factory().make, path }) }));
    const rejected = events(client, 'endpointRejected');
    await until(() => urls(client).length === 4 && rejected.length === 6, 5_000);
    expect(urls(client)).toEqual([a!.url, b!.url, c!.url, 'https://localhost:8443'].sort());
    const byUrl = new Map(client.endpoints().map((e) => [e.url, e]));
    expect(byUrl.get(a!.url)!.metadata).toEqual({ zone: 'eu-1', id: 'curator-1', name: 'users', serviceType: 'DYNAMIC' });
    expect(byUrl.get(b!.url)!.metadata).toEqual({ shard: '3' });
    expect(byUrl.get(c!.url)).toMatchObject({ zone: 'eu-2', weight: 3 });
    const reasons = new Map(rejected.map((r) => [String(r.entry), r.reason]));
    expect([...reasons.keys()].sort()).toEqual(['bad-port', 'empty', 'locked', 'not-json', 'proto', 'unknown'].map((n) => `${path}/${n}`));
    expect(reasons.get(`${path}/locked`)).toMatch(/NO_AUTH/);
    expect(reasons.get(`${path}/not-json`)).toMatch(/not JSON/);
    expect(reasons.get(`${path}/proto`)).toMatch(/__proto__/);
    expect(reasons.get(`${path}/bad-port`)).toMatch(/port/);
    expect(reasons.get(`${path}/unknown`)).toMatch(/none of the formats/);
    expect(reasons.get(`${path}/empty`)).toMatch(/no data/);

    // A node's data changes: the endpoint follows. Garbage written over a good record removes it, and says so.
    await set(`${path}/plain`, bulwark(a!.port, { basePath: '/v2' }));
    await until(() => urls(client).includes(`${a!.url}/v2`), 5_000);
    expect(urls(client)).not.toContain(c!.url);
    await set(`${path}/member_0000000001`, '{"serviceEndpoint":');
    await until(() => !urls(client).includes(b!.url), 5_000);
    expect(rejected.at(-1)).toMatchObject({ entry: `${path}/member_0000000001` });
    // Calls go through the records that were read.
    const bodies = new Set<string>();
    for (let i = 0; i < 20; i++) bodies.add(await (await client.fetch('/', { timeout: { total: 2_000 } }).then((r) => r.text(), () => 'failed')));
    expect(bodies.has(String(a!.port))).toBe(true);
  });

  it('keeps the last set, with a discoveryError, when every child holds garbage (no empty set pushed)', async () => {
    const [a] = await servers(ok());
    const path = fresh();
    await mkdirp(path);
    await put(`${path}/one`, bulwark(a!.port));
    const client = track(createClient({ name: 'users', discovery: zookeeperDiscovery({ client: factory().make, path }) }));
    const errors = events(client, 'discoveryError');
    const rejected = events(client, 'endpointRejected');
    await until(() => urls(client).length === 1, 5_000);
    expect(urls(client)).toEqual([a!.url]);
    await set(`${path}/one`, 'garbage');
    await until(() => rejected.length === 1 && errors.length === 1, 5_000);
    expect(rejected[0]).toMatchObject({ entry: `${path}/one` });
    expect(String(errors[0]!.error)).toMatch(/cannot be used; keeping the last good set/);
    expect(urls(client)).toEqual([a!.url]);
    // A good record again: followed as usual. Deleting the node is a real answer: no instances.
    await set(`${path}/one`, bulwark(a!.port, { basePath: '/v2' }));
    await until(() => urls(client).includes(`${a!.url}/v2`), 5_000);
    expect(urls(client)).toEqual([`${a!.url}/v2`]);
    await del(`${path}/one`);
    await until(() => urls(client).length === 0, 5_000);
    expect(urls(client)).toEqual([]);
  });

  it('reads a chosen serverset endpoint, and registers as a sequential serverset member', async () => {
    const [a] = await servers(ok());
    const path = fresh();
    const reg = zookeeperRegistration({ client: factory().make, path, format: 'serverset', instance: { host: '127.0.0.1', port: 1, shard: 0, additionalEndpoints: { http: { host: '127.0.0.1', port: a!.port } } } });
    defer(() => reg.stop());
    expect(await reg.registered).toMatch(new RegExp(`^${path}/member_\\d{10}$`));
    const client = track(createClient({ name: 'ss', discovery: zookeeperDiscovery({ client: factory().make, path, format: 'serverset', endpointName: 'http' }) }));
    expect(await (await client.fetch('/')).text()).toBe(String(a!.port));
    const errors = events(client, 'discoveryError');
    await reg.update({ host: '127.0.0.1', port: 1, additionalEndpoints: {} });
    const rejected = events(client, 'endpointRejected');
    await until(() => rejected.length === 1 && errors.length === 1, 5_000);
    expect(rejected[0]!.reason).toMatch(/no additional endpoint "http"/);
    // Its only child rejected: a broken registry, not an empty service (as the client treats an
    // update with no usable entry): the last set stays, with a discoveryError.
    expect(String(errors[0]!.error)).toMatch(/cannot be used; keeping the last good set/);
    expect(urls(client)).toEqual([a!.url]);
  });

  it('waits for a missing path, pushing nothing, and follows it once it exists', async () => {
    const [a] = await servers(ok());
    const path = fresh();
    const client = track(createClient({ name: 'later', discovery: zookeeperDiscovery({ client: factory().make, path }), waitForEndpoints: true }));
    const changes = events(client, 'endpoints');
    const errors = events(client, 'discoveryError');
    await sleep(500);
    expect(changes).toEqual([]);
    expect(errors).toEqual([]);
    const pending = client.fetch('/');
    await mkdirp(path.slice(0, path.lastIndexOf('/')));
    // The node and its first instance at once: a node without children is a service with no instances.
    await call((cb) => fx.admin.transaction().create(path).create(`${path}/a`, Buffer.from(bulwark(a!.port)), zookeeper.CreateMode.EPHEMERAL).commit(cb));
    expect(await (await pending).text()).toBe(String(a!.port));
    expect(changes).toHaveLength(1);
    // Deleted again (a service torn down): ZooKeeper's answer is authoritative, no instances.
    await call((cb) => fx.admin.transaction().remove(`${path}/a`).remove(path).commit(cb));
    await until(() => urls(client).length === 0, 5_000);
    expect(urls(client)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('drops a record that reads but is no valid endpoint by its node, once, without showing what it holds', async () => {
    const [a] = await servers(ok());
    const path = fresh();
    await mkdirp(path);
    await put(`${path}/good`, bulwark(a!.port));
    await put(`${path}/bad-host`, JSON.stringify({ name: 'users', id: 'x', address: 'not a host!', port: 8081, payload: { apiKey: 'SECRET-API-KEY-123' } }));
    await put(`${path}/bad-weight`, bulwark(8082, { weight: -1 }));
    const client = track(createClient({ name: 'users', discovery: zookeeperDiscovery({ client: factory().make, path }) }));
    const rejected = events(client, 'endpointRejected');
    await until(() => urls(client).length === 1 && rejected.length === 2, 5_000);
    // Another child comes and goes: the two bad ones are not reported again.
    await put(`${path}/other`, bulwark(a!.port, { basePath: '/v2' }));
    await until(() => urls(client).length === 2, 5_000);
    await del(`${path}/other`);
    await until(() => urls(client).length === 1, 5_000);
    expect(rejected.map((r) => r.entry).sort()).toEqual([`${path}/bad-host`, `${path}/bad-weight`]);
    expect(JSON.stringify(rejected)).not.toContain('SECRET');
    expect(rejected.find((r) => r.entry === `${path}/bad-weight`)!.reason).toMatch(/weight/);
  });

  it('rejects bad options with a ConfigError naming the option', () => {
    const client = () => zookeeper.createClient(fx.server.connectionString);
    expect(() => zookeeperDiscovery({ client, path: 'services/x' })).toThrow(ConfigError);
    expect(() => zookeeperDiscovery({ client, path: '/a//b' })).toThrow(/path/);
    expect(() => zookeeperDiscovery({ client, path: '/a', format: 'xml' as never })).toThrow(/format/);
    expect(() => zookeeperDiscovery({ client: {} as never, path: '/a' })).toThrow(/client/);
    expect(() => zookeeperDiscovery({ client, path: '/a', requestTimeout: -1 })).toThrow(/requestTimeout/);
    expect(() => zookeeperRegistration({ client, path: '/a', instance: { host: '127.0.0.1', port: 0 } })).toThrow(/instance\.port/);
    expect(() => zookeeperRegistration({ client, path: '/a', instance: { host: '', port: 80 } })).toThrow(/instance\.host/);
    expect(() => zookeeperRegistration({ client, path: '/a', node: 'a/b', instance: { host: 'h', port: 80 } })).toThrow(/node/);
    // What every reader would reject is refused before it is written.
    expect(() => zookeeperRegistration({ client, path: '/a', instance: { host: 'bad#host?', port: 80 } })).toThrow(/instance\.host/);
    expect(() => zookeeperRegistration({ client, path: '/a', instance: { host: '10.0.0.1', port: 80, weight: -1 } })).toThrow(/instance\.weight/);
    expect(() => zookeeperRegistration({ client, path: '/a', instance: { host: '10.0.0.1', port: 80, priority: 0.5 } })).toThrow(/instance\.priority/);
    expect(() => zookeeperRegistration({ client, path: '/a', instance: { host: '10.0.0.1', port: 80, basePath: '/v1?q=1' } })).toThrow(/instance\.basePath/);
  });

  it('close() leaves nothing behind: no watch callbacks, no timers, no sockets', async () => {
    const [a] = await servers(ok());
    const path = fresh();
    await mkdirp(path);
    await put(`${path}/a`, bulwark(a!.port));
    const baseline = resources();
    const f = factory();
    let calls = 0;
    const discovery = zookeeperDiscovery({ client: f.make, path });
    const stop = stopFunction(discovery.watch(() => calls++, () => calls++, () => calls++));
    await until(() => calls === 1, 5_000);
    // A client instance of the user's too: its watches stay registered in it (they can not be removed), but do nothing.
    const own = await connected(fx.server.connectionString);
    const listeners = own.listenerCount('connected');
    const stopOwn = stopFunction(zookeeperDiscovery({ client: own, path }).watch(() => calls++, () => calls++, () => calls++));
    await until(() => calls === 2, 5_000);
    await stop();
    await stopOwn();
    expect(own.listenerCount('connected')).toBe(listeners);
    own.close();
    await set(`${path}/a`, bulwark(a!.port, { zone: 'x' }));
    await put(`${path}/b`, bulwark(a!.port));
    await sleep(500);
    expect(calls).toBe(2);
    await until(() => noMoreThan(resources(), baseline), 3_000);
    expect(resources()).toSatisfy((now: Record<string, number>) => noMoreThan(now, baseline));
  });

  it('survives a server restart: keeps the set with discoveryError events, then follows changes again', async () => {
    const [a, b] = await servers(ok(), ok());
    const path = fresh();
    await mkdirp(path);
    await put(`${path}/a`, bulwark(a!.port));
    const client = track(createClient({ name: 'restart', discovery: zookeeperDiscovery({ client: factory().make, path, requestTimeout: 500, backoff: { min: 100, max: 200 } }) }));
    const errors = events(client, 'discoveryError');
    await until(() => urls(client).length === 1, 5_000);

    await fx.server.kill();
    await until(() => errors.length >= 3, 10_000);
    expect(urls(client)).toEqual([a!.url]);
    expect(await (await client.fetch('/')).text()).toBe(String(a!.port));
    await fx.server.run();
    await fx.reconnectAdmin();
    await put(`${path}/b`, bulwark(b!.port));
    await until(() => urls(client).length === 2, 10_000);
    expect(urls(client)).toEqual([a!.url, b!.url].sort());
    const quiet = errors.length;
    await sleep(300);
    expect(errors.length).toBe(quiet);
    // Its bounded waits add up to ≈ 86 s at worst (5 for the first set, 10 for the errors, up to
    // START_MS and one last 1 s `ruok` for the restarted JVM to answer, CONNECT_MS for the admin,
    // 10 for the new set, 0.3 quiet); the timeout leaves 10 s over that, so a slow start fails
    // with the helpers' message. Under the whole suite's load on 2 cores one CI run went past the default 30 s.
  }, 36_000 + START_MS + CONNECT_MS);
});
