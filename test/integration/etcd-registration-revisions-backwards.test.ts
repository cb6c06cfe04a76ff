// What broke: after etcd comes back with lower revisions (a fresh data dir), etcdRegistration compared the new revisions with ones remembered from the old etcd and re-put its entry in a tight loop, once per lost revision.
// src/etcd/registration.ts keeps #lostAt (the revision of the last deletion it saw) across etcd
// instances, and its put loop repeats the put with no backoff while the put's revision is below
// it ("written before the deletion"): with revisions restarted, that is every put, until etcd's
// revision climbs past the old one. docs/discovery.md (etcdDiscovery) counts "an etcd restored
// from a backup whose revisions went backwards" among the breaks it copes with; the registration
// instead floods etcd (and every watcher of the prefix) with identical writes.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { etcdRegistration } from '../../src/etcd/index.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, useEtcd } from '../helpers/etcd.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';

const OLD_REVISIONS = 400;

describeWith(etcdBinary, 'etcdRegistration: etcd back with lower revisions', () => {
  const fx = useEtcd();
  const { defer } = closeAfterEach();

  it('writes its entry again a bounded number of times, not once per lost revision', async () => {
    const errors: Error[] = [];
    const reg = etcdRegistration({ client: fx.etcd, prefix: 'services/backwards/', endpoint: 'http://127.0.0.1:9402', ttl: 2, backoff: { min: 100, max: 500 }, onError: (e) => errors.push(e) });
    defer(() => reg.stop());
    expect(await reg.ready).toBe(true);
    // A busy etcd: its revision is some hundreds ahead; then someone deletes the entry, which the
    // registration writes again (it remembers the deletion's revision).
    for (let i = 0; i < OLD_REVISIONS; i++) await fx.etcd.put('other/key').value(String(i));
    await fx.etcd.delete().key(reg.key);
    await until(async () => (await fx.etcd.get(reg.key).string()) !== null, 5_000);
    await until(() => reg.registered, 5_000);

    // etcd comes back empty (a fresh data dir: revisions start again at 1).
    await fx.server.kill();
    await rm(join(fx.server.dir, 'data'), { recursive: true, force: true });
    await fx.server.resume();

    // The registration finds its lease gone and registers again.
    await until(async () => (await fx.etcd.get(reg.key).exec().catch(() => undefined))?.kvs[0] !== undefined, 20_000);
    await sleep(2_000);
    const kv = (await fx.etcd.get(reg.key).exec()).kvs[0]!;
    // `version` counts the puts of the key since it was created in the fresh etcd.
    expect(Number(kv.version), `${kv.version} puts of the entry (etcd revision now ${kv.mod_revision})`).toBeLessThan(5);
  }, 60_000);
});
