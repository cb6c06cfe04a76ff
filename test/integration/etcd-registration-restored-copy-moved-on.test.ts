// What broke: an etcd restored from an older copy holding the lease and a stale value is only noticed when the follower's re-read answers below the last put's revision; if anything else was written to the restored etcd first (other registrations re-writing themselves), the revision has caught up, the stale entry (mod_revision below the last put) is taken for the registration's own, and its current value is never written again.
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { expect, it } from 'vitest';
import { etcdRegistration } from '../../src/etcd/index.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, TcpProxy, useEtcd } from '../helpers/etcd.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';

describeWith(etcdBinary, 'review: etcdRegistration, etcd restored from an older copy that moved on before the re-read', () => {
  const fx = useEtcd();
  const { defer } = closeAfterEach();

  async function scenario(othersAfterRestore: number, port: number) {
    const errors: Error[] = [];
    // The registration reaches etcd through a proxy: other clients may reach the restored etcd first.
    const proxy = await TcpProxy.start(fx.server.url);
    defer(() => proxy.close());
    const mine = new Etcd3({ hosts: proxy.url });
    defer(async () => mine.close());
    const reg = etcdRegistration({ client: mine, prefix: `services/moved-on-${port}/`, endpoint: { host: '127.0.0.1', port, zone: 'old' }, ttl: 20, backoff: { min: 100, max: 500 }, onError: (e) => errors.push(e) });
    defer(() => reg.stop());
    expect(await reg.ready).toBe(true);
    const data = join(fx.server.dir, 'data');
    const copy = join(fx.server.dir, `data.old-${port}`);

    await fx.server.kill();
    await rm(copy, { recursive: true, force: true });
    await cp(data, copy, { recursive: true });
    await fx.server.resume();
    await until(async () => (await fx.etcd.get(reg.key).string().catch(() => null)) !== null, 15_000);

    // The registration writes a new value: one revision after the copy.
    expect(await reg.update({ host: '127.0.0.1', port, zone: 'new' })).toBe(true);
    expect(JSON.parse((await fx.etcd.get(reg.key).string())!).zone).toBe('new');

    // Restored from the older copy (lease alive there, value 'old'); other clients write at once.
    proxy.cut();
    await fx.server.kill();
    await rm(data, { recursive: true, force: true });
    await cp(copy, data, { recursive: true });
    await fx.server.resume();
    const other = new Etcd3({ hosts: fx.server.url });
    try {
      for (let i = 0; i < othersAfterRestore; i++) await other.put(`other/${port}/${i}`).value(String(i));
    } finally {
      other.close();
    }
    proxy.restore();

    await until(async () => {
      const text = await fx.etcd.get(reg.key).string().catch(() => null);
      return text !== null && JSON.parse(text).zone === 'new';
    }, 20_000).catch(() => {});
    const text = await fx.etcd.get(reg.key).string();
    return { zone: JSON.parse(text!).zone as string, errors: errors.map((e) => e.message) };
  }

  it('control: nothing written after the restore: the current value is written again', async () => {
    const { zone } = await scenario(0, 9511);
    // (passes: the re-read answers at the copy's revision, below the last put)
    expect(zone).toBe('new');
  }, 60_000);

  it('three other writes after the restore: the current value is still written again', async () => {
    const { zone, errors } = await scenario(3, 9512);
    expect(zone, errors.join('\n')).toBe('new');
  }, 60_000);
});
