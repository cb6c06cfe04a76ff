// What broke: etcdRegistration.stop() while the registration is asking etcd whether its lease survived a
// deletion of its entry (`keepaliveOnce`), with etcd answering that keep-alive late (a slow or
// loaded etcd, > the 2 s stop waits for a sync). stop() gives up on the sync after 2 s, revokes
// the lease and resolves; the sync then carries on, finds no lease, and grants a NEW one (with
// etcd3's keep-alive timer and stream) that nothing will ever revoke: a lease, a timer and a
// stream outlive stop().
import type { Lease } from 'etcd3';
import { expect, it } from 'vitest';
import { etcdRegistration, type EtcdClient } from '../../src/etcd/index.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, useEtcd } from '../helpers/etcd.js';
import { sleep, until } from '../helpers/lifecycle.js';

const KEEPALIVE_ANSWER_MS = 3_000;

describeWith(etcdBinary, 'etcdRegistration.stop() while a lease check is in flight', () => {
  const fx = useEtcd();

  const liveLeases = async (): Promise<string[]> => (await fx.etcd.leaseClient.leaseLeases()).leases.map((l) => String(l.ID));

  it('grants no lease after stop() resolved, and leaves none alive in etcd', async () => {
    const made: Lease[] = [];
    let keepaliveOnceCalls = 0;
    // The user's etcd3 client, whose one-off keep-alive etcd answers KEEPALIVE_ANSWER_MS late.
    const client: EtcdClient = {
      get: (key) => fx.etcd.get(key),
      getAll: () => fx.etcd.getAll(),
      watch: () => fx.etcd.watch(),
      lease: (ttl, options) => {
        const lease = fx.etcd.lease(ttl, options);
        made.push(lease);
        const once = lease.keepaliveOnce.bind(lease);
        lease.keepaliveOnce = (o) => {
          keepaliveOnceCalls++;
          return sleep(KEEPALIVE_ANSWER_MS).then(() => once(o));
        };
        return lease;
      },
    };
    const before = await liveLeases();
    const reg = etcdRegistration({ client, prefix: 'services/grant-after-stop/', endpoint: '127.0.0.1:9100', ttl: 5, backoff: { min: 100, max: 200 } });
    try {
      expect(await reg.ready).toBe(true);
      expect(made.length).toBe(1);
      // Someone deletes the entry: the registration asks etcd whether its lease is still alive.
      await fx.etcd.delete().key(reg.key);
      await until(() => keepaliveOnceCalls === 1, 5_000);
      await reg.stop();
      const leasesAtStop = made.length;
      // The keep-alive answer arrives; nothing of the stopped registration may act on it.
      await sleep(KEEPALIVE_ANSWER_MS + 1_000);
      expect({ leasesMadeAfterStop: made.length - leasesAtStop, leasesInEtcd: await liveLeases() }).toEqual({ leasesMadeAfterStop: 0, leasesInEtcd: before });
    } finally {
      // Clean up what the defect leaves behind, so it does not outlive the test either.
      for (const lease of made) await lease.revoke().catch(() => {});
    }
  }, 30_000);
});
