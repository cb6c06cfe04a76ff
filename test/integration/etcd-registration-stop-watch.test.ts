// Guards (lifetime review, 2026-11-28): nothing this session added outlives close()/stop().
// Review (lifetime): what etcdRegistration's own-entry watch leaves after stop().
import { expect, it } from 'vitest';
import { etcdRegistration } from '../../src/etcd/index.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, useEtcd } from '../helpers/etcd.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';

const { defer } = closeAfterEach();

/** etcd's own count of watchers (its /metrics). */
async function watchers(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('etcd_debugging_mvcc_watcher_total '));
  return Number(line?.split(' ')[1] ?? NaN);
}

describeWith(etcdBinary, 'etcdRegistration after stop()', () => {
  const fx = useEtcd();

  it('stop() ends the watch on its own entry in etcd, and a later overwrite or delete is not written back', async () => {
    const base = await watchers(fx.server.url);
    const errors: Error[] = [];
    const reg = etcdRegistration({ client: fx.etcd, prefix: 'st/', endpoint: '127.0.0.1:9300', ttl: 3, backoff: { min: 100, max: 500 }, onError: (e) => errors.push(e) });
    defer(() => reg.stop());
    expect(await reg.ready).toBe(true);
    await until(async () => (await watchers(fx.server.url)) > base, 3_000);
    await reg.stop();
    await until(async () => (await watchers(fx.server.url)) === base, 3_000);
    // Written by someone else after stop: stays as they wrote it.
    await fx.etcd.put(reg.key).value('{"host":"127.0.0.1","port":9300,"weight":7}');
    await sleep(500);
    expect(await fx.etcd.get(reg.key).string()).toBe('{"host":"127.0.0.1","port":9300,"weight":7}');
    await fx.etcd.delete().key(reg.key);
    expect(errors).toEqual([]);
  }, 20_000);
});
