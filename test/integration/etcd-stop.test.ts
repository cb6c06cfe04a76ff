// Stopping an etcd follower (discovery, config) while its watch is being set up, against a real
// etcd (Debian etcd-server): the first set is published from the range read, before the watch
// exists and before etcd confirms it, so a close() made then must still leave no watcher in
// etcd by the time it resolves (no timer, socket or watch outlives close()).
import { Etcd3, type Watcher } from 'etcd3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { etcdConfig, etcdDiscovery, type EtcdClient } from '../../src/etcd/index.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, EtcdServer } from '../helpers/etcd.js';
import { sleep, until } from '../helpers/lifecycle.js';
import { stopFunction } from '../helpers/stop-function.js';

const backoff = { min: 100, max: 500 };

/**
 * `etcd`, whose watchers hear etcd's confirmation (`connected`) `ms` late: a slow etcd, which
 * holds a stop in the window between the create request and its answer.
 */
function slowConfirm(etcd: Etcd3, ms: number): EtcdClient {
  return {
    get: (key) => etcd.get(key),
    getAll: () => etcd.getAll(),
    lease: (...args) => etcd.lease(...args),
    watch: () => {
      const builder = etcd.watch();
      const make = builder.watcher.bind(builder);
      builder.watcher = (): Watcher => {
        const watcher = make();
        const emit = watcher.emit.bind(watcher);
        watcher.emit = (event: string | symbol, ...args: unknown[]): boolean => {
          if (event !== 'connected') return emit(event, ...args);
          setTimeout(() => emit(event, ...args), ms);
          return true;
        };
        return watcher;
      };
      return builder;
    },
  };
}

describeWith(etcdBinary, 'stopping an etcd follower while its watch is set up', () => {
  let server: EtcdServer;
  let etcd: Etcd3;
  let other: Watcher;
  beforeAll(async () => {
    server = await EtcdServer.start();
    etcd = new Etcd3({ hosts: server.url });
    // Another watch on the same client keeps etcd3's watch stream open, as in an app that shares
    // one client: a new watch's create request then goes out at once.
    other = await etcd.watch().key('unrelated').create();
  });
  afterAll(async () => {
    await other?.cancel();
    etcd?.close();
    await server?.close();
  });
  let n = 0;
  const nextPrefix = (): string => `services/s${++n}/`;
  const record = JSON.stringify({ host: '127.0.0.1', port: 8080 });
  const watchers = async (): Promise<number> => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return Number(/^etcd_debugging_mvcc_watcher_total (\d+)/m.exec(text)?.[1]);
  };

  it('a client closed while etcd has not yet confirmed its watch leaves no watcher when close() resolves', async () => {
    const prefix = nextPrefix();
    await etcd.put(`${prefix}a`).value(record);
    const baseline = await watchers();
    const client = createClient({ name: 'users', discovery: etcdDiscovery({ client: slowConfirm(etcd, 500), prefix, backoff }) });
    let closed: Promise<void> | undefined;
    // The set comes from the range read; the watch is created right after, in the same task.
    client.once('endpoints', () => queueMicrotask(() => { closed = client.close(); }));
    await until(() => closed !== undefined, 10_000);
    await closed;
    expect(await watchers()).toBe(baseline);
  });

  it('a client closed from its first endpoints listener leaves no watcher', async () => {
    const prefix = nextPrefix();
    await etcd.put(`${prefix}a`).value(record);
    const baseline = await watchers();
    const client = createClient({ name: 'users', discovery: etcdDiscovery({ client: etcd, prefix, backoff }) });
    let closed: Promise<void> | undefined;
    client.once('endpoints', () => { closed = client.close(); });
    await until(() => closed !== undefined, 10_000);
    await closed;
    expect(await watchers()).toBe(baseline);
    await sleep(300); // nor a watch made after the stop
    expect(await watchers()).toBe(baseline);
  });

  it('etcdConfig stopped while etcd has not yet confirmed its watch leaves no watcher when stop resolves', async () => {
    await etcd.put('config/users').value(JSON.stringify({ timeout: 1_000 }));
    const baseline = await watchers();
    let stopped: Promise<void> | undefined;
    const stop = stopFunction(etcdConfig({ client: slowConfirm(etcd, 500), key: 'config/users', backoff }).watch(
      () => queueMicrotask(() => { stopped = Promise.resolve(stop()); }),
      () => {},
    ));
    await until(() => stopped !== undefined, 10_000);
    await stopped;
    expect(await watchers()).toBe(baseline);
  });
});
