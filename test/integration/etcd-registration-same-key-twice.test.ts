// What broke: two registrations of one key overwrote each other for ever (887 writes in 2 s).
// etcdRegistration now rewrites its entry whenever a put without its lease lands on its key
// (src/etcd/own-entry.ts: any lease not among its own counts as "overwritten"). Two registrations
// of one key (two replicas registering a shared address such as a VIP or a node-local proxy, or
// an old and a new process overlapping during a restart — the default key is prefix + host:port)
// each see the other's put as foreign and write back at once, with no backoff: an endless write
// storm on etcd (every put a new revision, every one reported to onError), where before the last
// writer simply won. Expected: a bounded number of writes once both are registered.
import { expect, it } from 'vitest';
import { etcdRegistration } from '../../src/etcd/index.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, useEtcd } from '../helpers/etcd.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';

const { defer } = closeAfterEach();

describeWith(etcdBinary, 'etcdRegistration: two registrations of one key', () => {
  const fx = useEtcd();

  it('settle: they do not overwrite each other for ever', async () => {
    const errors: Error[] = [];
    const opts = { client: fx.etcd, prefix: 'dup/', endpoint: '127.0.0.1:9300', ttl: 5, backoff: { min: 100, max: 500 }, onError: (e: Error) => errors.push(e) };
    const a = etcdRegistration(opts);
    defer(() => a.stop());
    expect(await a.ready).toBe(true);
    const b = etcdRegistration(opts);
    defer(() => b.stop());
    expect(await b.ready).toBe(true);
    await sleep(500);
    const before = Number((await fx.etcd.get(a.key).exec()).header.revision);
    await sleep(2_000);
    const after = Number((await fx.etcd.get(a.key).exec()).header.revision);
    await a.stop();
    await b.stop();
    await fx.etcd.delete().key(a.key);
    expect(after - before, `${after - before} writes of the key in 2 s, ${errors.length} onError reports`).toBeLessThan(10);
  }, 30_000);
});
