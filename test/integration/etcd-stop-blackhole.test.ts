// bulwark/etcd stopped while etcd's address takes connections but never answers (a frozen etcd,
// a black-holing middlebox): etcd3's calls have no deadline, so an attempt in flight never ends
// by itself; stop() must still settle (retrySource abandons the attempt on abort). No etcd
// binary is needed: the "server" is a TCP listener that reads and never writes.
import { createServer, type Socket } from 'node:net';
import { Etcd3 } from 'etcd3';
import { expect, it } from 'vitest';
import { etcdConfig, etcdDiscovery, etcdRegistration } from '../../src/etcd/index.js';
import { freePort } from '../helpers/binaries.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';
import { stopFunction } from '../helpers/stop-function.js';

const { defer } = closeAfterEach();

it('discovery, registration and config stop promptly while etcd never answers', async () => {
  const port = await freePort();
  const sockets = new Set<Socket>();
  const hole = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => hole.listen(port, '127.0.0.1', resolve));
  defer(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => hole.close(resolve));
  });
  const etcd = new Etcd3({ hosts: `http://127.0.0.1:${port}` });
  defer(async () => etcd.close());
  const stopDiscovery = stopFunction(etcdDiscovery({ client: etcd, prefix: 'x/' }).watch(() => {}, () => {}, () => {}));
  const registration = etcdRegistration({ client: etcd, prefix: 'x/', endpoint: { host: '127.0.0.1', port: 80 } });
  const stopConfig = stopFunction(etcdConfig({ client: etcd, key: 'cfg' }).watch(() => {}, () => {}));
  await sleep(300); // each has a request in flight that will never be answered
  expect(sockets.size).toBeGreaterThan(0);
  const started = Date.now();
  const took = async (stop: () => void | Promise<void>): Promise<number> => {
    await stop();
    return Date.now() - started;
  };
  const [discovery, config, registered] = await Promise.all([took(stopDiscovery), took(stopConfig), took(() => registration.stop())]);
  // Discovery and config let go at once; the registration waits (2 s) for its write, then (2 s) for the revoke.
  expect(discovery).toBeLessThan(1_000);
  expect(config).toBeLessThan(1_000);
  expect(registered).toBeLessThan(6_000);
  expect(await registration.ready).toBe(false);
}, 20_000);
