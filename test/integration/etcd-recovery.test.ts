// etcdDiscovery when etcd goes away: a real etcd killed with SIGKILL and restarted on its data
// dir, and a TCP proxy that cuts the client off while others keep writing. The client keeps its
// last good set (calls keep working), reports discoveryError, and catches up by itself.
import { Etcd3 } from 'etcd3';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { etcdDiscovery } from '../../src/etcd/index.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, EtcdServer, TcpProxy } from '../helpers/etcd.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { ok, type TestServer } from '../helpers/servers.js';

const backoff = { min: 100, max: 1_000 };
const record = (s: TestServer): string => JSON.stringify({ host: '127.0.0.1', port: s.port });

describeWith(etcdBinary, 'etcdDiscovery when etcd fails', () => {
  let server: EtcdServer;
  beforeAll(async () => {
    server = await EtcdServer.start();
  });
  afterEach(async () => {
    await server.resume();
  });
  afterAll(async () => {
    await server?.close();
  });
  const { track, servers, defer } = closeAfterEach();
  /** A client of the test's own, closed after it. */
  const etcdClient = (hosts: string): Etcd3 => {
    const etcd = new Etcd3({ hosts });
    defer(async () => etcd.close());
    return etcd;
  };
  /** Runs `op` until etcd takes it (just after a restart, the etcd3 client's breaker may still be open). */
  const retry = async <T>(op: () => Promise<T>): Promise<T> => {
    for (let i = 0; ; i++) {
      try {
        return await op();
      } catch (err) {
        if (i > 200) throw err;
        await sleep(100);
      }
    }
  };

  it('etcd killed: the last good set stays and calls go on; restarted: changes made while the client was cut off are seen, and the watch is back', async () => {
    const [a, b, c] = await servers(ok(), ok(), ok());
    const proxy = await TcpProxy.start(server.url);
    defer(() => proxy.close());
    const admin = etcdClient(server.url);
    const prefix = 'services/recovery/';
    await admin.put(`${prefix}a`).value(record(a!));
    await admin.put(`${prefix}b`).value(record(b!));
    const client = track(createClient({ name: 'users', discovery: etcdDiscovery({ client: etcdClient(proxy.url), prefix, backoff }) }));
    const errors: unknown[] = [];
    client.on('discoveryError', (e) => errors.push(e.error));
    const ports = (): number[] => client.endpoints().map((e) => e.port).sort();
    await until(() => client.endpoints().length === 2, 10_000);

    await server.kill('SIGKILL');
    await until(() => errors.length >= 2, 5_000);
    expect(String(errors[0])).toMatch(/etcd discovery of prefix "services\/recovery\/"/);
    expect(ports()).toEqual([a!.port, b!.port].sort()); // never emptied because etcd is down
    for (let i = 0; i < 6; i++) expect((await client.fetch('/')).status).toBe(200);

    // etcd comes back on its data, but this client cannot reach it yet: the registry changes.
    proxy.cut();
    await server.resume();
    await retry(() => admin.delete().key(`${prefix}a`).exec());
    await retry(() => admin.put(`${prefix}c`).value(record(c!)).exec());
    expect(ports()).toEqual([a!.port, b!.port].sort());

    proxy.restore();
    await until(() => ports().join() === [b!.port, c!.port].sort().join(), 20_000);
    expect(ports()).toEqual([b!.port, c!.port].sort());
    // The watch is established again: a change now arrives without another failure.
    const errorsBefore = errors.length;
    await admin.delete().key(`${prefix}b`);
    await until(() => client.endpoints().length === 1, 5_000);
    expect(ports()).toEqual([c!.port]);
    expect(errors.length).toBe(errorsBefore);
    expect((await client.fetch('/')).status).toBe(200);
  }, 60_000);

  it('started while etcd is down: fails fast with no set, reports, and picks the set up when etcd appears', async () => {
    const [a] = await servers(ok());
    const prefix = 'services/late/';
    const admin = etcdClient(server.url);
    await admin.put(`${prefix}a`).value(record(a!));
    await server.kill('SIGKILL');
    const client = track(createClient({ name: 'users', discovery: etcdDiscovery({ client: etcdClient(server.url), prefix, backoff }) }));
    const errors: unknown[] = [];
    client.on('discoveryError', (e) => errors.push(e.error));
    await until(() => errors.length >= 1, 5_000);
    await expect(client.fetch('/')).rejects.toThrow(/no endpoints/i);
    await server.resume();
    await until(() => client.endpoints().length === 1, 20_000);
    expect((await client.fetch('/')).status).toBe(200);
  }, 60_000);
});
