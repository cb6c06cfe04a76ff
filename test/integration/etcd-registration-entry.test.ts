// etcdRegistration against a real etcd (Debian etcd-server). What broke:
// - update() back to the value last written resolved true at once while another update's put
//   was in flight, so etcd still held the newer value;
// - a `key` outside `prefix` was registered ("ready") where no discoverer of the prefix looks;
// - an entry deleted behind the registration's back (`etcdctl del`, a cleanup script) while its
//   lease lived was never written again, though `registered` stayed true.
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { Etcd3 } from 'etcd3';
import { expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { etcdRegistration } from '../../src/etcd/index.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, useEtcd } from '../helpers/etcd.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';

/** A TCP proxy whose answers (server → client) all arrive `delayMs` late, in order: a slow link. */
class SlowProxy {
  readonly #sockets = new Set<Socket>();
  private constructor(readonly server: Server, readonly url: string) {}
  static async start(target: string, delayMs: number): Promise<SlowProxy> {
    const { hostname, port } = new URL(target);
    const holder: { p?: SlowProxy } = {};
    const server = createServer((inbound) => {
      const outbound = connect(Number(port), hostname);
      for (const s of [inbound, outbound]) {
        holder.p!.#sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => { inbound.destroy(); outbound.destroy(); });
      }
      inbound.on('data', (d) => outbound.write(d));
      outbound.on('data', (d) => setTimeout(() => { if (!inbound.destroyed) inbound.write(d); }, delayMs));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.p = new SlowProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return holder.p;
  }
  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describeWith(etcdBinary, 'etcdRegistration: updates in flight, keys outside the prefix, entries deleted behind its back', () => {
  const fx = useEtcd();
  const { defer } = closeAfterEach();
  let n = 0;
  const nextPrefix = (): string => `services/entry${++n}/`;
  const value = async (key: string): Promise<unknown> => {
    const text = await fx.etcd.get(key).string();
    return text === null ? null : JSON.parse(text);
  };

  it('update() back to the value last written, while another update is still in flight, resolves true only once etcd holds it', async () => {
    const proxy = await SlowProxy.start(fx.server.url, 700);
    defer(() => proxy.close());
    const slow = new Etcd3({ hosts: proxy.url });
    defer(async () => slow.close());
    const prefix = nextPrefix();
    const a = { host: '127.0.0.1', port: 9001, metadata: { version: 'a' } };
    const b = { host: '127.0.0.1', port: 9001, metadata: { version: 'b' } };
    const reg = etcdRegistration({ client: slow, prefix, endpoint: a });
    defer(() => reg.stop());
    expect(await reg.ready).toBe(true);
    expect(await value(reg.key)).toEqual(a);

    // Roll forward to b, then (b turned out bad) straight back to a while b's put is on its way.
    const toB = reg.update(b);
    await until(async () => JSON.stringify(await value(reg.key)) === JSON.stringify(b), 600); // etcd applied b; its answer is still on the slow link
    const backToA = await reg.update(a);
    expect(backToA).toBe(true);
    // "update: resolves true once written" — but etcd still holds b here.
    expect(await value(reg.key)).toEqual(a);
    await toB;
  }, 30_000);

  it('refuses (ConfigError naming key) a key outside the prefix, which no discoverer of the prefix would ever see', async () => {
    const prefix = nextPrefix();
    let reg: ReturnType<typeof etcdRegistration> | undefined;
    let thrown: unknown;
    try {
      reg = etcdRegistration({ client: fx.etcd, prefix, key: 'elsewhere/127.0.0.1:9002', endpoint: '127.0.0.1:9002' });
    } catch (err) {
      thrown = err;
    }
    if (reg !== undefined) {
      await reg.ready;
      // Registered, "ready", yet nothing is under the prefix.
      expect((await fx.etcd.getAll().prefix(prefix).keys()).length).toBe(0);
      await reg.stop();
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).path).toBe('key');
  });

  it('an entry deleted behind its back (lease still alive) is written again, as zookeeperRegistration re-creates a deleted node', async () => {
    const prefix = nextPrefix();
    const errors: Error[] = [];
    const reg = etcdRegistration({ client: fx.etcd, prefix, endpoint: '127.0.0.1:9003', ttl: 2, backoff: { min: 100, max: 500 }, onError: (e) => errors.push(e) });
    defer(() => reg.stop());
    await reg.ready;
    // An operator's `etcdctl del`, a cleanup script, another process that registered and then
    // revoked the same host:port key: the key goes, the lease (and its keep-alives) stay.
    await fx.etcd.delete().key(reg.key);
    // Before the fix it still said it was registered, kept the lease alive, and never wrote the
    // entry again (three TTLs were waited for in vain).
    // (Both: etcd may hold the entry again a moment before the put's answer reaches the registration.)
    await until(async () => reg.registered && (await value(reg.key)) !== null, 3 * 2_000).catch(() => {});
    expect({ registered: reg.registered, value: await value(reg.key) }).toEqual({ registered: true, value: { host: '127.0.0.1', port: 9003 } });
    expect(errors.map((e) => e.message)).toContain(`etcd registration of "${reg.key}": the entry was deleted while its lease lives; writing it again`);
  }, 20_000);
});
