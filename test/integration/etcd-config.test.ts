// etcdConfig against a real etcd (Debian etcd-server), started by this file on free ports: it
// delivers the key's JSON document and each change, reports garbage and deletion as errors
// without delivering them, survives etcd going away, and drives a real client's policies.
import { Etcd3 } from 'etcd3';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createClient, ConfigError } from '../../src/index.js';
import { EtcdError, etcdConfig } from '../../src/etcd/index.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, EtcdServer, TcpProxy } from '../helpers/etcd.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { status } from '../helpers/servers.js';
import { stopFunction } from '../helpers/stop-function.js';

const backoff = { min: 100, max: 1_000 };

describeWith(etcdBinary, 'etcdConfig against a real etcd', () => {
  let server: EtcdServer;
  let etcd: Etcd3;
  beforeAll(async () => {
    server = await EtcdServer.start();
    etcd = new Etcd3({ hosts: server.url });
  });
  afterEach(async () => {
    await server.resume();
  });
  afterAll(async () => {
    etcd?.close();
    await server?.close();
  });
  const { track, servers, defer } = closeAfterEach();
  let n = 0;
  const nextKey = (): string => `config/t${++n}`;
  /** Starts `source`, recording what it delivers; stopped after the test. */
  const follow = (source: ReturnType<typeof etcdConfig>): { documents: unknown[]; errors: Error[] } => {
    const seen = { documents: [] as unknown[], errors: [] as Error[] };
    const stop = stopFunction(source.watch((d) => seen.documents.push(d), (e) => seen.errors.push(e as Error)));
    defer(async () => { await stop(); });
    return seen;
  };

  it('delivers the document, then each change; garbage and deletion are errors that deliver nothing', async () => {
    const key = nextKey();
    await etcd.put(key).value('{"retry":false}');
    const seen = follow(etcdConfig({ client: etcd, key, backoff }));
    await until(() => seen.documents.length === 1, 10_000);
    expect(seen.documents).toEqual([{ retry: false }]);

    await etcd.put(key).value('{"timeout":{"attempt":500},"hedge":{"delay":"p95"}}');
    await until(() => seen.documents.length === 2, 10_000);
    expect(seen.documents[1]).toEqual({ timeout: { attempt: 500 }, hedge: { delay: 'p95' } });

    // The same value written again is no new document.
    await etcd.put(key).value('{"timeout":{"attempt":500},"hedge":{"delay":"p95"}}');
    for (const garbage of ['retry=false; token=secret-1', '["secret-2"]', '{"__proto__":{"retry":false},"x":"secret-3"}', `{"pad":"${'x'.repeat(70_000)}","t":"secret-4"}`]) {
      await etcd.put(key).value(garbage);
    }
    await until(() => seen.errors.length === 4, 10_000);
    expect(seen.documents).toHaveLength(2);
    expect(seen.errors.map((e) => e.message)).toEqual([
      `etcd config key "${key}": record is not JSON; keeping the last configuration`,
      `etcd config key "${key}": record must be a JSON object; keeping the last configuration`,
      `etcd config key "${key}": record holds a forbidden key "__proto__"; keeping the last configuration`,
      expect.stringMatching(/over the 65536-byte limit; keeping the last configuration$/),
    ]);
    expect(JSON.stringify(seen.errors.map((e) => e.message))).not.toMatch(/secret-/);

    await etcd.delete().key(key);
    await until(() => seen.errors.length === 5, 10_000);
    expect(seen.errors[4]!.message).toBe(`etcd config key "${key}" was deleted; keeping the last configuration`);
    expect(seen.errors[4]).toBeInstanceOf(EtcdError);
    await etcd.put(key).value('{}');
    await until(() => seen.documents.length === 3, 10_000);
    expect(seen.documents[2]).toEqual({});
  });

  it('a missing key delivers nothing until it is written', async () => {
    const key = nextKey();
    const seen = follow(etcdConfig({ client: etcd, key, backoff }));
    await sleep(200);
    expect(seen).toEqual({ documents: [], errors: [] });
    await etcd.put(key).value('{"retry":false}');
    await until(() => seen.documents.length === 1, 10_000);
    expect(seen.documents).toEqual([{ retry: false }]);
  });

  it('etcd killed: errors are reported; restarted: a change made while this client was cut off is delivered', async () => {
    const key = nextKey();
    await etcd.put(key).value('{"retry":false}');
    const proxy = await TcpProxy.start(server.url);
    defer(() => proxy.close());
    const mine = new Etcd3({ hosts: proxy.url });
    defer(async () => mine.close());
    const seen = follow(etcdConfig({ client: mine, key, backoff }));
    await until(() => seen.documents.length === 1, 10_000);
    await server.kill('SIGKILL');
    await until(() => seen.errors.length >= 1, 5_000);
    expect(seen.errors[0]!.message).toMatch(new RegExp(`^etcd config key "${key}": `));
    proxy.cut();
    await server.resume();
    for (let i = 0; ; i++) {
      try {
        await etcd.put(key).value('{"retry":{"attempts":2}}');
        break;
      } catch (err) {
        if (i > 100) throw err;
        await sleep(100);
      }
    }
    proxy.restore();
    await until(() => seen.documents.length === 2, 20_000);
    expect(seen.documents[1]).toEqual({ retry: { attempts: 2 } });
    // ... and the watch is back.
    await etcd.put(key).value('{}');
    await until(() => seen.documents.length === 3, 5_000);
    expect(seen.documents[2]).toEqual({});
  }, 60_000);

  it("drives a real client: retries off and on again through the key; an invalid document changes nothing but raises configRejected", async () => {
    const key = nextKey();
    const [failing] = await servers(status(503));
    const client = track(createClient({
      name: 'users',
      discovery: [failing!.url],
      retry: { attempts: 3, backoff: { base: 0, cap: 0 }, budget: { minPerSecond: 1_000 } },
      health: false,
    }));
    const changed: unknown[] = [];
    const rejected: unknown[] = [];
    client.on('configChanged', (e) => changed.push(e.document));
    client.on('configRejected', (e) => rejected.push(e.error));
    const attemptsOfOneCall = async (): Promise<number> => {
      const before = failing!.requests.length;
      const res = await client.fetch('/');
      expect(res.status).toBe(503);
      await res.text();
      return failing!.requests.length - before;
    };
    expect(await attemptsOfOneCall()).toBe(3);

    await etcd.put(key).value('{"retry":false}');
    client.watchConfig(etcdConfig({ client: etcd, key, backoff }));
    await until(() => changed.length === 1, 10_000);
    expect(await attemptsOfOneCall()).toBe(1);

    // One at a time: two puts that reach the watch in one response are one change (only the
    // key's newest value counts), which would leave one rejection instead of two.
    await etcd.put(key).value('{"retry":{"attempts":-1}}'); // valid JSON, invalid option
    await until(() => rejected.length === 1, 10_000);
    await etcd.put(key).value('not json');
    await until(() => rejected.length === 2, 10_000);
    expect(rejected[0]).toBeInstanceOf(ConfigError);
    expect(String(rejected[0])).toMatch(/retry\.attempts/);
    expect(String(rejected[1])).toMatch(/not JSON/);
    expect(await attemptsOfOneCall()).toBe(1); // the last good configuration stays

    await etcd.put(key).value('{}'); // back to createClient's options
    await until(() => changed.length === 2, 10_000);
    expect(await attemptsOfOneCall()).toBe(3);
  });

  it('refuses bad options with ConfigError', () => {
    expect(() => etcdConfig({ client: etcd, key: '' })).toThrow(/key must be a non-empty string/);
    expect(() => etcdConfig({ client: null as unknown as Etcd3, key: 'k' })).toThrow(/client must be an etcd3 client/);
  });
});
