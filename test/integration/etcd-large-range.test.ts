// What broke (etcdDiscovery): pages were counted in keys (1 000), and a page of 1 000 records of
// 5 KiB is over grpc-js's default 4 MiB receive limit (etcd3 sets none): every read failed with
// RESOURCE_EXHAUSTED, retried for ever, and the client never had an endpoint. Pages are now sized
// by the bytes of the records read, and a page over the limit is read again smaller.
import { expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { etcdDiscovery } from '../../src/etcd/index.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, useEtcd } from '../helpers/etcd.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';

describeWith(etcdBinary, 'etcdDiscovery, a large prefix', () => {
  const fx = useEtcd();
  const { track } = closeAfterEach();

  it('reads 1 000 instances of 5 KiB records each (5 MB in all, default pageSize) and hands them all to the client', async () => {
    const prefix = 'services/big/';
    const pad = 'x'.repeat(5_000);
    for (let i = 0; i < 1_000; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => fx.etcd.put(`${prefix}${String(i + j).padStart(4, '0')}`)
        .value(JSON.stringify({ host: `10.0.${(i + j) >> 8}.${(i + j) & 255}`, port: 8080, metadata: { pad } }))));
    }
    const client = track(createClient({ name: 'big', discovery: etcdDiscovery({ client: fx.etcd, prefix, backoff: { min: 100, max: 200 } }) }));
    const errors: string[] = [];
    client.on('discoveryError', (e) => errors.push(String(e.error)));
    const deadline = Date.now() + 8_000;
    while (client.endpoints().length < 1_000 && Date.now() < deadline) await sleep(50);
    expect(errors.slice(0, 1)).toEqual([]);
    expect(client.endpoints().length).toBe(1_000);
  }, 60_000);
});
