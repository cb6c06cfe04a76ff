// What broke: stop() against an etcd that stopped answering takes about 4 s with no write in flight (6 s with one), because it first waits up to 2 s for etcd to confirm the cancel of its own-entry watch and only then sends the revoke and waits 2 s more.
// docs/discovery.md (etcdRegistration): "if etcd does not answer (stop waits at most 2 s for a
// write in flight, then 2 s for the revoke) the entry expires with its lease instead". The
// own-entry watch's cancel (src/etcd/registration.ts #stop: `await this.#following`, bounded by
// cancelTimeout 2 s) is a third wait, in series before the revoke, that the docs do not count.
import { createServer, connect, type Socket } from 'node:net';
import { Etcd3 } from 'etcd3';
import { expect, it } from 'vitest';
import { etcdRegistration } from '../../src/etcd/index.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, useEtcd } from '../helpers/etcd.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';

/** A TCP proxy to `target` whose `freeze()` keeps every connection open and forwards nothing more: an etcd that stopped answering. */
async function freezableProxy(target: string): Promise<{ url: string; freeze(): void; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let frozen = false;
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.on('data', (d) => { if (!frozen) upstream.write(d); });
    upstream.on('data', (d) => { if (!frozen) client.write(d); });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    freeze: () => { frozen = true; },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describeWith(etcdBinary, 'etcdRegistration.stop() while etcd does not answer', () => {
  const fx = useEtcd();
  const { defer } = closeAfterEach();

  it('with no write in flight, gives up after the 2 s it waits for the revoke', async () => {
    const proxy = await freezableProxy(fx.server.url);
    defer(() => proxy.close());
    const etcd = new Etcd3({ hosts: proxy.url });
    defer(async () => etcd.close());
    const errors: Error[] = [];
    const reg = etcdRegistration({ client: etcd, prefix: 'services/frozen/', endpoint: 'http://127.0.0.1:9403', ttl: 5, onError: (e) => errors.push(e) });
    expect(await reg.ready).toBe(true);
    await sleep(500); // its watch on its own entry is established
    proxy.freeze();
    const started = performance.now();
    await reg.stop();
    const took = performance.now() - started;
    await fx.etcd.delete().key(reg.key);
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/did not answer the revoke within 2000 ms/)]);
    expect(took, `stop() took ${took.toFixed(0)} ms`).toBeLessThan(3_500);
  }, 20_000);
});
