// What broke: an entry deleted after the registration's put landed, seen by its own-entry read while that put's answer was still on its way, is never written again (registered stays true, the entry stays gone).
// docs/discovery.md (etcdRegistration): "an entry deleted while its lease lives (`etcdctl del`, a
// cleanup script) is written again". followOwnEntry's reset (src/etcd/own-entry.ts) ignores a
// missing key whenever a put is in flight (entry.written() is undefined then), and its watch starts
// after the read, so the deletion is reported by neither: the put's answer then marks the entry
// written at a revision older than the deletion.
import { Etcd3 } from 'etcd3';
import { expect, it } from 'vitest';
import { etcdRegistration } from '../../src/etcd/index.js';
import type { EtcdClient } from '../../src/etcd/follow.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, useEtcd } from '../helpers/etcd.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';

/**
 * The real etcd client, except: the single-key read of the registration's own entry is sent only
 * once `sendRead` resolves, and the answer to the put of the entry (served by etcd at once) is
 * handed over only once `releasePut` resolves; `landed` hears that etcd applied the put.
 */
function delayed(etcd: Etcd3, sendRead: Promise<unknown>, releasePut: Promise<unknown>, landed: () => void, watches: { n: number }): EtcdClient {
  return {
    get: (key: string) => {
      const builder = etcd.get(key);
      const exec = builder.exec.bind(builder);
      builder.exec = () => sendRead.then(() => exec());
      return builder;
    },
    getAll: () => etcd.getAll(),
    watch: () => {
      watches.n++;
      return etcd.watch();
    },
    lease: (ttl, options) => {
      const lease = etcd.lease(ttl, options);
      const put = lease.put.bind(lease);
      lease.put = (key) => {
        const builder = put(key);
        const exec = builder.exec.bind(builder);
        builder.exec = () => exec().then(async (res) => {
          landed();
          await releasePut;
          return res;
        });
        return builder;
      };
      return lease;
    },
  };
}

describeWith(etcdBinary, 'etcdRegistration: entry deleted while the answer to its put is in flight', () => {
  const fx = useEtcd();
  const { defer } = closeAfterEach();

  it('writes the entry again', async () => {
    let send!: () => void;
    let release!: () => void;
    let landed!: () => void;
    const readMaySend = new Promise<void>((resolve) => { send = resolve; });
    const putReleased = new Promise<void>((resolve) => { release = resolve; });
    const putLanded = new Promise<void>((resolve) => { landed = resolve; });
    const watches = { n: 0 };
    const errors: Error[] = [];
    const key = 'services/del-in-flight/127.0.0.1:9401';

    const reg = etcdRegistration({
      client: delayed(fx.etcd, readMaySend, putReleased, landed, watches),
      prefix: 'services/del-in-flight/', endpoint: 'http://127.0.0.1:9401', ttl: 5, backoff: { min: 100, max: 500 },
      onError: (e) => errors.push(e),
    });
    defer(() => reg.stop());

    await putLanded; // etcd holds the entry; the registration does not know yet
    await fx.etcd.delete().key(key); // a cleanup script deletes it (its lease lives on)
    send(); // the own-entry read is served now: the key is missing
    await until(() => watches.n === 1, 5_000); // read answered, watch made from the revision after it
    await sleep(300);
    release(); // the put's answer arrives
    expect(await reg.ready).toBe(true);
    await sleep(1_500);

    // Both read before the cleanup's delete: the registration's watch may hear that delete before
    // the delete's own answer arrives, and then (rightly) no longer counts the entry as written.
    const registered = reg.registered;
    const value = await fx.etcd.get(key).string();
    await fx.etcd.delete().key(key);
    expect({ registered, inEtcd: value !== null }).toEqual({ registered: true, inEtcd: true });
  }, 20_000);
});
