// etcdDiscovery against a real etcd (Debian etcd-server), started by this file on free ports,
// with real node:http backends: instances come and go, calls follow, no change between the read
// and the watch is lost, garbage is dropped with events, stop cancels the watch in etcd.
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient, type EndpointRejectedEvent } from '../../src/index.js';
import { EtcdError, etcdDiscovery, type EtcdClient } from '../../src/etcd/index.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, EtcdServer } from '../helpers/etcd.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';
import { ok, type TestServer } from '../helpers/servers.js';

const backoff = { min: 100, max: 500 };
const record = (s: TestServer, extra: Record<string, unknown> = {}): string => JSON.stringify({ host: '127.0.0.1', port: s.port, ...extra });

describeWith(etcdBinary, 'etcdDiscovery against a real etcd', () => {
  let server: EtcdServer;
  let etcd: Etcd3;
  beforeAll(async () => {
    server = await EtcdServer.start();
    etcd = new Etcd3({ hosts: server.url });
  });
  afterAll(async () => {
    etcd?.close();
    await server?.close();
  });
  const { track, servers } = closeAfterEach();
  let n = 0;
  const nextPrefix = (): string => `services/t${++n}/`;
  const watchers = async (): Promise<number> => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return Number(/^etcd_debugging_mvcc_watcher_total (\d+)/m.exec(text)?.[1]);
  };

  it('instances appear and disappear, and real calls follow them', async () => {
    const [a, b, c] = await servers(ok(), ok(), ok());
    const prefix = nextPrefix();
    await etcd.put(`${prefix}a`).value(record(a!, { zone: 'eu-1', metadata: { version: '1.2' } }));
    await etcd.put(`${prefix}b`).value(record(b!));
    const client = track(createClient({ name: 'users', discovery: etcdDiscovery({ client: etcd, prefix, backoff }) }));
    const ports = (): number[] => client.endpoints().map((e) => e.port).sort();
    await until(() => client.endpoints().length === 2, 10_000);
    expect(ports()).toEqual([a!.port, b!.port].sort());
    const ea = client.endpoints().find((e) => e.port === a!.port)!;
    expect(ea.zone).toBe('eu-1');
    expect(ea.metadata).toEqual({ version: '1.2', 'etcd.key': `${prefix}a` });
    for (let i = 0; i < 10; i++) expect((await client.fetch('/')).status).toBe(200);
    expect(a!.requests.length + b!.requests.length).toBe(10);

    await etcd.put(`${prefix}c`).value(record(c!));
    await until(() => client.endpoints().length === 3, 10_000);
    for (let i = 0; i < 9; i++) expect((await client.fetch('/')).status).toBe(200);
    expect(c!.requests.length).toBeGreaterThan(0);

    await etcd.delete().key(`${prefix}a`);
    await until(() => client.endpoints().length === 2, 10_000);
    expect(ports()).toEqual([b!.port, c!.port].sort());
    const before = a!.requests.length;
    for (let i = 0; i < 10; i++) expect((await client.fetch('/')).status).toBe(200);
    expect(a!.requests.length).toBe(before);
  });

  it('loses no change made between the range read and the start of the watch, even across pages', async () => {
    const [a, b, c] = await servers(ok(), ok(), ok());
    const prefix = nextPrefix();
    for (let i = 0; i < 7; i++) await etcd.put(`${prefix}x${i}`).value(record(a!, { basePath: `/p${i}` }));
    await etcd.put(`${prefix}b`).value(record(b!));
    // The first page has been read; before the next page and the watch, the registry changes:
    // a key the read has passed is deleted, one before the cursor and one after it are added.
    let pages = 0;
    const between = async (): Promise<void> => {
      await etcd.delete().key(`${prefix}b`);
      await etcd.put(`${prefix}a-new`).value(record(c!));
      await etcd.put(`${prefix}z-new`).value(record(c!, { basePath: '/z' }));
      await etcd.delete().key(`${prefix}x6`);
    };
    const client = track(createClient({ name: 'users', discovery: etcdDiscovery({ client: afterRead(etcd, () => (++pages === 1 ? between() : Promise.resolve())), prefix, backoff, pageSize: 3 }) }));
    const expected = [...[0, 1, 2, 3, 4, 5].map((i) => `http://127.0.0.1:${a!.port}/p${i}`), `http://127.0.0.1:${c!.port}`, `http://127.0.0.1:${c!.port}/z`].sort();
    await until(() => client.endpoints().length === expected.length && client.endpoints().every((e) => e.port !== b!.port), 10_000);
    expect(client.endpoints().map((e) => e.id).sort()).toEqual(expected);
    expect(pages).toBeGreaterThan(1); // the read was paged
  });

  it('a watch whose revision was compacted meanwhile is replaced by a full re-read', async () => {
    const [a, b] = await servers(ok(), ok());
    const prefix = nextPrefix();
    await etcd.put(`${prefix}a`).value(record(a!));
    let reads = 0;
    const client = track(createClient({
      name: 'users',
      discovery: etcdDiscovery({
        client: afterRead(etcd, async () => {
          if (++reads > 1) return;
          await etcd.put(`${prefix}b`).value(record(b!));
          const { header } = await etcd.delete().key(`${prefix}a`).exec();
          await etcd.kv.compact({ revision: header.revision, physical: true });
        }),
        prefix,
        backoff,
      }),
    }));
    const errors: unknown[] = [];
    client.on('discoveryError', (e) => errors.push(e.error));
    await until(() => client.endpoints().length === 1 && client.endpoints()[0]!.port === b!.port, 5_000);
    expect(client.endpoints().map((e) => e.port)).toEqual([b!.port]);
    expect(reads).toBeGreaterThan(1); // read again after etcd cancelled the compacted watch
    expect(errors).toEqual([]); // compaction is no failure
  });

  it('drops garbage values with endpointRejected naming the key, never the value, and throws nothing', async () => {
    const [a, b] = await servers(ok(), ok());
    const prefix = nextPrefix();
    await etcd.put(`${prefix}good`).value(record(a!));
    const garbage: Record<string, string> = {
      'not-json': 'password=secret-1',
      'bad-port': JSON.stringify({ host: '127.0.0.1', port: 70_000, metadata: { token: 'secret-2' } }),
      'string-port': JSON.stringify({ host: '127.0.0.1', port: '80', token: 'secret-3' }),
      proto: `{"host":"127.0.0.1","port":81,"metadata":{"__proto__":{"admin":"secret-4"}}}`,
      oversized: JSON.stringify({ host: '127.0.0.1', port: 82, metadata: { pad: 'x'.repeat(70_000), token: 'secret-5' } }),
      'bad-host': JSON.stringify({ host: 'user:secret-6@not a host', port: 83 }),
      array: JSON.stringify([{ host: '127.0.0.1', port: 84, token: 'secret-7' }]),
      'bad-weight': JSON.stringify({ host: '127.0.0.1', port: 85, weight: -1, token: 'secret-8' }),
    };
    for (const [k, v] of Object.entries(garbage)) await etcd.put(`${prefix}${k}`).value(v);
    const client = track(createClient({ name: 'users', discovery: etcdDiscovery({ client: etcd, prefix, backoff }) }));
    const rejected: EndpointRejectedEvent[] = [];
    client.on('endpointRejected', (e) => rejected.push(e));
    await until(() => client.endpoints().length === 1 && rejected.length === Object.keys(garbage).length, 10_000);
    expect(client.endpoints().map((e) => e.port)).toEqual([a!.port]);
    expect(rejected.map((e) => e.entry).sort()).toEqual(Object.keys(garbage).map((k) => `${prefix}${k}`).sort());
    const reasons = Object.fromEntries(rejected.map((e) => [String(e.entry).slice(prefix.length), e.reason]));
    expect(reasons['not-json']).toMatch(/not JSON/);
    expect(reasons['bad-port']).toMatch(/port/);
    expect(reasons.proto).toMatch(/forbidden key "__proto__"/);
    expect(reasons.oversized).toMatch(/over the 65536-byte limit/);
    expect(reasons['bad-host']).toMatch(/host/);
    expect(reasons.array).toMatch(/JSON object/);
    expect(reasons['bad-weight']).toMatch(/weight/);
    expect(JSON.stringify(rejected)).not.toMatch(/secret-/);
    expect((await client.fetch('/')).status).toBe(200);

    // A garbage value that becomes valid joins; a change elsewhere does not report the garbage again.
    await etcd.put(`${prefix}not-json`).value(record(b!));
    await until(() => client.endpoints().length === 2, 10_000);
    expect(rejected).toHaveLength(Object.keys(garbage).length);

    // Keys remain, none valid: the last good set stays and discoveryError says why.
    const errors: unknown[] = [];
    client.on('discoveryError', (e) => errors.push(e.error));
    await etcd.put(`${prefix}good`).value('{"host":"127.0.0.1"}');
    await etcd.put(`${prefix}not-json`).value('nope secret-9');
    await until(() => errors.length > 0, 10_000);
    expect(String(errors[0])).toMatch(/none is a valid endpoint; keeping the last good set/);
    expect(errors[0]).toBeInstanceOf(EtcdError);
    expect(errors[0]).toMatchObject({ code: 'ERR_BULWARK_ETCD', service: prefix });
    // (the first put left b alone; the second left no valid entry: b stays)
    expect(client.endpoints().map((e) => e.port)).toEqual([b!.port]);
    expect(JSON.stringify([rejected, errors.map(String)])).not.toMatch(/secret-/);
    // An empty prefix is a real answer: the service has no instances.
    await etcd.delete().prefix(prefix);
    await until(() => client.endpoints().length === 0, 10_000);
    expect(client.endpoints()).toEqual([]);
  });

  it('stop cancels the watch in etcd: close() leaves no watcher, and later changes reach no one', async () => {
    const [a, b] = await servers(ok(), ok());
    const prefix = nextPrefix();
    await etcd.put(`${prefix}a`).value(record(a!));
    const baseline = await watchers();
    const client = createClient({ name: 'users', discovery: etcdDiscovery({ client: etcd, prefix, backoff }) });
    await until(() => client.endpoints().length === 1, 10_000);
    // The first set is published from the range read, before etcd has confirmed the watch.
    await until(async () => (await watchers()) === baseline + 1, 10_000);
    let changes = 0;
    client.on('endpoints', () => changes++);
    await client.close();
    expect(await watchers()).toBe(baseline);
    await etcd.put(`${prefix}b`).value(record(b!));
    await new Promise((r) => setTimeout(r, 200));
    expect(changes).toBe(0);
  });

  it('refuses bad options with ConfigError', () => {
    expect(() => etcdDiscovery({ client: {} as EtcdClient, prefix: 'x/' })).toThrow(/client must be an etcd3 client/);
    expect(() => etcdDiscovery({ client: etcd, prefix: '' })).toThrow(/prefix must be a non-empty string/);
    expect(() => etcdDiscovery({ client: etcd, prefix: 'x/', pageSize: 0 })).toThrow(/pageSize must be a whole number/);
    expect(() => etcdDiscovery({ client: etcd, prefix: 'x/', backoff: { min: 10, max: 5 } })).toThrow(/backoff.max must be ≥ backoff.min/);
  });

  it('works on a namespace of the client', async () => {
    const [a] = await servers(ok());
    const prefix = nextPrefix();
    await etcd.put(`ns/${prefix}a`).value(record(a!));
    const client = track(createClient({ name: 'users', discovery: etcdDiscovery({ client: etcd.namespace('ns/'), prefix, backoff }) }));
    await until(() => client.endpoints().length === 1, 10_000);
    expect(client.endpoints()[0]!.metadata['etcd.key']).toBe(`${prefix}a`);
    await etcd.delete().key(`ns/${prefix}a`);
    await until(() => client.endpoints().length === 0, 10_000);
    expect(client.endpoints()).toEqual([]);
  });
});

/** `etcd`, with `after` run after each range read resolves and before its result is used. */
function afterRead(etcd: Etcd3, after: () => Promise<void>): EtcdClient {
  return {
    get: (key) => etcd.get(key),
    watch: () => etcd.watch(),
    lease: (ttl, options) => etcd.lease(ttl, options),
    getAll: () => {
      const builder = etcd.getAll();
      const exec = builder.exec.bind(builder);
      builder.exec = async () => {
        const res = await exec();
        await after();
        return res;
      };
      return builder;
    },
  };
}
