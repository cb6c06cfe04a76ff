// What broke (found by the etcd review): an etcd3 client can wedge (after etcd refuses its auth
// token following a restart, etcd3's retry waits on its own circuit-breaker trial): its reads
// hang, and its lease keep-alives with them, so the lease is never reported lost. The
// registration's watch on its own entry failed to read it, but dropped those failures
// (`error: () => {}`): the entry expired while `registered` stayed true and `onError` heard
// nothing. A failure to follow the entry is now reported, once until a read is answered again,
// while the registration believes it is registered.
import type { Etcd3 } from 'etcd3';
import { expect, it } from 'vitest';
import { etcdRegistration } from '../../src/etcd/index.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, useEtcd } from '../helpers/etcd.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';

const { defer } = closeAfterEach();

describeWith(etcdBinary, 'etcdRegistration whose client cannot read its entry', () => {
  const fx = useEtcd();

  it('reports it once while the registration is registered, not at every failed read', async () => {
    let reads: 'fail' | 'work' = 'fail';
    // The real client, but for reads of single keys, which fail while told to (as a wedged client's do).
    const client = {
      get: (key: string) => (reads === 'fail' ? { exec: () => Promise.reject(new Error('etcdserver: invalid auth token')) } : fx.etcd.get(key)),
      getAll: () => fx.etcd.getAll(),
      watch: () => fx.etcd.watch(),
      lease: (...args: Parameters<Etcd3['lease']>) => fx.etcd.lease(...args),
    } as unknown as Etcd3;
    const errors: Error[] = [];
    const reg = etcdRegistration({ client, prefix: 'unread/', endpoint: '127.0.0.1:9301', ttl: 3, backoff: { min: 20, max: 40 }, onError: (e) => errors.push(e) });
    defer(() => reg.stop());
    expect(await reg.ready).toBe(true);
    await until(() => errors.length > 0, 3_000);
    expect(reg.registered).toBe(true);
    expect(errors[0]!.message).toContain('could not read its own entry to follow it');
    expect(errors[0]!.message).toContain('invalid auth token');
    await sleep(500); // the reads go on failing, with backoff: said once
    expect(errors).toHaveLength(1);
  }, 20_000);
});
