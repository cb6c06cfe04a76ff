// What broke: a registration's read of its own entry, sent before its first put but answered after
// it (a busy etcd: the CI churn test), was taken for a deletion of the entry: the registration
// reported "the entry was deleted while its lease lives" and wrote it again.
import { Etcd3 } from 'etcd3';
import { expect, it } from 'vitest';
import { etcdRegistration } from '../../src/etcd/index.js';
import type { EtcdClient } from '../../src/etcd/follow.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, useEtcd } from '../helpers/etcd.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';

/**
 * The real etcd client, whose answers to single-key reads are held until `release` resolves:
 * the read is served by etcd at once (before the put), its answer handed over late.
 */
function heldReads(etcd: Etcd3, release: Promise<unknown>): EtcdClient {
  return {
    get: (key: string) => {
      const builder = etcd.get(key);
      const exec = builder.exec.bind(builder);
      builder.exec = () => exec().then(async (res) => { await release; return res; });
      return builder;
    },
    getAll: () => etcd.getAll(),
    watch: () => etcd.watch(),
    lease: (ttl, options) => etcd.lease(ttl, options),
  };
}

describeWith(etcdBinary, 'etcdRegistration: a read of its own entry answered after its put', () => {
  const fx = useEtcd();
  const { defer } = closeAfterEach();

  it('is not taken for a deletion: nothing is reported and the entry is written once', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => { release = resolve; });
    const errors: Error[] = [];
    const puts: number[] = [];
    const key = 'services/stale-read/127.0.0.1:9001';
    // Every put of the entry, as etcd saw it.
    const watcher = await fx.etcd.watch().key(key).create();
    defer(() => watcher.cancel());
    watcher.on('put', (kv) => puts.push(Number(kv.mod_revision)));

    const reg = etcdRegistration({ client: heldReads(fx.etcd, released), prefix: 'services/stale-read/', endpoint: 'http://127.0.0.1:9001', onError: (e) => errors.push(e) });
    defer(() => reg.stop());
    expect(await reg.ready).toBe(true);
    release(); // the read, made before the put, now reaches the registration
    await sleep(500);

    expect(errors.map((e) => e.message)).toEqual([]);
    expect(puts).toHaveLength(1);
    expect(reg.registered).toBe(true);
    expect(JSON.parse((await fx.etcd.get(key).string())!)).toMatchObject({ port: 9001 });
  });
});
