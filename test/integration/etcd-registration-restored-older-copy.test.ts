// What broke: after etcd was restored from an older copy of its data in which the registration's lease still lived, the registration took the stale entry for its own latest write and never wrote its current value again.
// A read of the entry answered at a revision below one etcd had already given the registration
// (its last put) cannot come from the same history: revisions only grow. The registration now
// reads that as a rewound etcd and writes its entry again, once.
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { etcdRegistration } from '../../src/etcd/index.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, useEtcd } from '../helpers/etcd.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';

describeWith(etcdBinary, 'etcdRegistration: etcd restored from an older copy', () => {
  const fx = useEtcd();
  const { defer } = closeAfterEach();

  it('writes its current value again when etcd comes back with an older copy holding its lease', async () => {
    const errors: Error[] = [];
    const reg = etcdRegistration({ client: fx.etcd, prefix: 'services/restored/', endpoint: { host: '127.0.0.1', port: 9403, zone: 'old' }, ttl: 20, backoff: { min: 100, max: 500 }, onError: (e) => errors.push(e) });
    defer(() => reg.stop());
    expect(await reg.ready).toBe(true);
    const data = join(fx.server.dir, 'data');
    const copy = join(fx.server.dir, 'data.old');

    // A copy of etcd's data taken while the lease and the first value are in it.
    await fx.server.kill();
    await cp(data, copy, { recursive: true });
    await fx.server.resume();
    await until(async () => (await fx.etcd.get(reg.key).string().catch(() => null)) !== null, 10_000);

    // Later: etcd moves on, and the registration writes a new value.
    for (let i = 0; i < 50; i++) await fx.etcd.put('other/key').value(String(i));
    expect(await reg.update({ host: '127.0.0.1', port: 9403, zone: 'new' })).toBe(true);
    expect(JSON.parse((await fx.etcd.get(reg.key).string())!).zone).toBe('new');

    // etcd is restored from the older copy: the lease lives there, with the first value.
    await fx.server.kill();
    await rm(data, { recursive: true, force: true });
    await cp(copy, data, { recursive: true });
    await fx.server.resume();

    await until(async () => {
      const text = await fx.etcd.get(reg.key).string().catch(() => null);
      return text !== null && JSON.parse(text).zone === 'new';
    }, 15_000);
    await sleep(500);
    expect(JSON.parse((await fx.etcd.get(reg.key).string())!).zone).toBe('new');
    expect(errors.map((e) => e.message).join('\n')).toMatch(/history went back/);
  }, 60_000);
});
