// What broke (etcdDiscovery): a prefix is read in pages at the first page's revision; when etcd
// compacted that revision before the next page (auto-compaction on a busy cluster), the read
// failed with a discoveryError and the first set waited out the backoff. docs/discovery.md:
// compaction is a reason to read everything again, "without an error event", as for a watch.
import { expect, it } from 'vitest';
import { etcdDiscovery, type EtcdClient } from '../../src/etcd/index.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, useEtcd } from '../helpers/etcd.js';
import { sleep } from '../helpers/lifecycle.js';
import { stopFunction } from '../helpers/stop-function.js';

describeWith(etcdBinary, 'etcdDiscovery, compaction during a paged read', () => {
  const fx = useEtcd();

  it('a read whose revision is compacted between two pages is simply read again: no discoveryError, no backoff before the first set', async () => {
    const prefix = 'services/pages/';
    for (let i = 0; i < 6; i++) await fx.etcd.put(`${prefix}k${i}`).value(JSON.stringify({ host: '127.0.0.1', port: 9000 + i }));
    let pages = 0;
    // The user's client, with a write and a compaction landing right after the first page.
    const client: EtcdClient = {
      get: (key) => fx.etcd.get(key),
      watch: () => fx.etcd.watch(),
      lease: (ttl, options) => fx.etcd.lease(ttl, options),
      getAll: () => {
        const builder = fx.etcd.getAll();
        const exec = builder.exec.bind(builder);
        builder.exec = async () => {
          const res = await exec();
          if (++pages === 1) {
            const { header } = await fx.etcd.put('other/key').value('x').exec();
            await fx.etcd.kv.compact({ revision: header.revision, physical: true });
          }
          return res;
        };
        return builder;
      },
    };
    const sets: number[] = [];
    const errors: string[] = [];
    const started = Date.now();
    let firstSetAfter = -1;
    const stop = stopFunction(etcdDiscovery({ client, prefix, pageSize: 2, backoff: { min: 2_000, max: 4_000 } })
      .watch((eps) => { if (firstSetAfter < 0) firstSetAfter = Date.now() - started; sets.push(eps.length); }, (err) => errors.push(String(err)), () => {}));
    try {
      for (let i = 0; i < 160 && sets.length === 0; i++) await sleep(50);
      expect(errors).toEqual([]);
      expect(sets[0]).toBe(6);
      expect(firstSetAfter).toBeLessThan(1_500); // not held back by the 2 s backoff
    } finally {
      await stop();
    }
  }, 20_000);
});
