// What broke: an entry overwritten without any lease (etcdctl put) became permanent: stop() no longer removed it.
// etcdRegistration follows its own key and writes it again when someone deletes it, but not when
// someone overwrites it (`etcdctl put <key> …`, a script changing a weight): the put detaches the
// key from the registration's lease (lease 0), so `registered` stays true while the entry is no
// longer held by the lease, stop() (which only revokes the lease) leaves the entry in etcd for
// good, and so would a crash. docs/discovery.md: "stop() revokes the lease, so etcd deletes the
// entry at once and discoverers drop it"; "a process that dies without stop() … etcd deletes its
// entry when the lease expires".
import { expect, it } from 'vitest';
import { etcdRegistration } from '../../src/etcd/index.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, useEtcd } from '../helpers/etcd.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';

const { defer } = closeAfterEach();

describeWith(etcdBinary, 'etcdRegistration, entry overwritten behind its back', () => {
  const fx = useEtcd();

  it('an entry overwritten without the lease is taken back under the lease, so stop() still removes it', async () => {
    const errors: Error[] = [];
    const reg = etcdRegistration({ client: fx.etcd, prefix: 'ow/', endpoint: '127.0.0.1:9200', ttl: 3, backoff: { min: 100, max: 500 }, onError: (e) => errors.push(e) });
    defer(() => reg.stop());
    expect(await reg.ready).toBe(true);
    // Its own puts (an update, under its lease) are no overwrite: nothing reported.
    expect(await reg.update({ host: '127.0.0.1', port: 9200, weight: 3 })).toBe(true);
    await sleep(300);
    expect(errors).toEqual([]);
    await fx.etcd.put(reg.key).value('{"host":"127.0.0.1","port":9200,"weight":2}'); // no lease
    await sleep(1_000);
    const held = (await fx.etcd.get(reg.key).exec()).kvs[0];
    const lease = held?.lease;
    expect(held?.value.toString()).toBe('{"host":"127.0.0.1","port":9200,"weight":3}'); // its own value again
    expect(reg.registered).toBe(true);
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/overwritten without a lease/)]);
    await reg.stop();
    await sleep(300);
    const left = await fx.etcd.get(reg.key).string();
    await fx.etcd.delete().key(reg.key); // tidy up for the file's etcd
    expect({ leaseWhileRegistered: lease === '0' ? 'none' : 'a lease', afterStop: left }).toEqual({ leaseWhileRegistered: 'a lease', afterStop: null });
  }, 20_000);
});
