// What broke (found by the etcd review): an etcd3 client can wedge (after etcd refuses its auth
// token following a restart, etcd3's retry waits on its own circuit-breaker trial): its reads
// hang, and its lease keep-alives with them, so the lease is never reported lost. The
// registration's watch on its own entry failed to read it, but dropped those failures
// (`error: () => {}`): the entry expired while `registered` stayed true and `onError` heard
// nothing. An entry unread for longer than 2×TTL (a short outage costs nothing) is now
// reported, once until a read is answered again, while the registration believes it is registered.
import { Etcd3 } from 'etcd3';
import { expect, it } from 'vitest';
import { etcdRegistration } from '../../src/etcd/index.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, EtcdServer, TcpProxy, useEtcd } from '../helpers/etcd.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';

const { defer } = closeAfterEach();

/** The real client, but for reads of single keys, which fail while `reads()` says so (as a wedged client's do). */
function readsFailWhile(etcd: Etcd3, reads: () => boolean): Etcd3 {
  return {
    get: (key: string) => (reads() ? { exec: () => Promise.reject(new Error('etcdserver: invalid auth token')) } : etcd.get(key)),
    getAll: () => etcd.getAll(),
    watch: () => etcd.watch(),
    lease: (...args: Parameters<Etcd3['lease']>) => etcd.lease(...args),
  } as unknown as Etcd3;
}

describeWith(etcdBinary, 'etcdRegistration whose client cannot read its entry', () => {
  const fx = useEtcd();

  it('reports it once the entry has gone unread for longer than 2×TTL, once, while registered', async () => {
    const errors: Error[] = [];
    const started = performance.now();
    const reg = etcdRegistration({ client: readsFailWhile(fx.etcd, () => true), prefix: 'unread/', endpoint: '127.0.0.1:9301', ttl: 1, backoff: { min: 20, max: 40 }, onError: (e) => errors.push(e) });
    defer(() => reg.stop());
    expect(await reg.ready).toBe(true);
    await until(() => errors.length > 0, 6_000);
    expect(performance.now() - started).toBeGreaterThan(2_000);
    expect(reg.registered).toBe(true);
    expect(errors[0]!.message).toContain('could not read its own entry to follow it');
    expect(errors[0]!.message).toContain('invalid auth token');
    await sleep(500); // the reads go on failing, with backoff: said once
    expect(errors).toHaveLength(1);
  }, 20_000);

  it('says nothing of reads that fail for less (a restart, a short outage costs nothing)', async () => {
    const errors: Error[] = [];
    const until1s = performance.now() + 1_000;
    const reg = etcdRegistration({ client: readsFailWhile(fx.etcd, () => performance.now() < until1s), prefix: 'unread/', endpoint: '127.0.0.1:9302', ttl: 1, backoff: { min: 20, max: 40 }, onError: (e) => errors.push(e) });
    defer(() => reg.stop());
    expect(await reg.ready).toBe(true);
    await sleep(3_500);
    expect(errors).toEqual([]);
  }, 20_000);

});

// The same two adapted from the diff review of the first version, which reported the watch
// breaking at every etcd restart: a real restart, and a connection cut for an instant.
describeWith(etcdBinary, 'etcdRegistration through a short etcd outage', () => {
  /** A registration through a client of `hosts` (closed after the test), ready, with what it reports to onError. */
  async function registered(hosts: string, port: number): Promise<{ reg: ReturnType<typeof etcdRegistration>; errors: string[] }> {
    const etcd = new Etcd3({ hosts });
    defer(async () => { etcd.close(); });
    const errors: string[] = [];
    const reg = etcdRegistration({ client: etcd, prefix: 'svc/', endpoint: `127.0.0.1:${port}`, backoff: { min: 100, max: 1_000 }, onError: (e) => errors.push(e.message) });
    defer(() => reg.stop());
    expect(await reg.ready).toBe(true);
    return { reg, errors };
  }

  it('a plain etcd restart (SIGKILL, resume on the same data) reports nothing to onError', async () => {
    const server = await EtcdServer.start();
    defer(() => server.close());
    const { reg, errors } = await registered(server.url, 9101);
    await server.kill('SIGKILL');
    await server.resume();
    await sleep(3_000);
    expect(reg.registered).toBe(true);
    expect(errors).toEqual([]);
    await reg.stop();
    expect(errors).toEqual([]);
  }, 40_000);

  it('a connection cut for an instant (the re-read answers at once) reports nothing to onError', async () => {
    const server = await EtcdServer.start();
    defer(() => server.close());
    const proxy = await TcpProxy.start(server.url);
    defer(() => proxy.close());
    const { reg, errors } = await registered(proxy.url, 9102);
    proxy.cut();
    proxy.restore();
    await sleep(3_000);
    expect(reg.registered).toBe(true);
    expect(errors).toEqual([]);
  }, 40_000);
});
