// The churn test, against a real etcd (Debian etcd-server) and real node:http backends:
// for 60 s, every 100 ms an instance is registered (etcdRegistration: lease + put) or
// deregistered (stop: lease revoked) while calls run without pause through a client that
// discovers them with etcdDiscovery. Some backends are themselves churned: started before they
// register, shut down 300 ms after they deregistered. No call may fail (there are always at
// least three live, registered backends to go to), and once the churn stops the client's
// endpoints must equal etcd's within one second.
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { etcdDiscovery, etcdRegistration, type EtcdRegistration } from '../../src/etcd/index.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, EtcdServer } from '../helpers/etcd.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';
import { mulberry32 } from '../helpers/prng.js';
import { ok, startServer, type TestServer } from '../helpers/servers.js';

const CHURN_MS = 60_000;
const TICK_MS = 100;
const MIN_REGISTERED = 3;
const prefix = 'services/churn/';

describeWith(etcdBinary, 'etcd churn', () => {
  let server: EtcdServer;
  let etcd: Etcd3;
  beforeAll(async () => {
    server = await EtcdServer.start();
    etcd = new Etcd3({ hosts: server.url });
  });
  afterAll(async () => {
    etcd?.close();
    await server?.close();
  });
  const { track, servers, defer } = closeAfterEach();

  it('60 s of registrations and deregistrations every 100 ms lose no call, and the client converges to etcd within 1 s', async () => {
    const random = mulberry32(7);
    const stable = await servers(...Array.from({ length: 8 }, () => ok()));
    const registered = new Map<TestServer, EtcdRegistration>();
    const rotating = new Set<TestServer>(); // started for one registration, shut down after it
    const closing: Promise<void>[] = [];
    defer(async () => {
      await Promise.all([...registered.values()].map((r) => r.stop()));
      await Promise.all(closing);
      await Promise.all([...rotating].map((s) => s.close()));
    });
    const registrationErrors: Error[] = [];
    const register = async (backend: TestServer): Promise<void> => {
      const reg = etcdRegistration({ client: etcd, prefix, endpoint: { host: '127.0.0.1', port: backend.port }, onError: (e) => registrationErrors.push(e) });
      registered.set(backend, reg);
      await reg.ready;
    };
    for (const s of stable.slice(0, 4)) await register(s);

    const client = track(createClient({ name: 'churn', discovery: etcdDiscovery({ client: etcd, prefix }) }));
    const discoveryErrors: unknown[] = [];
    const rejected: unknown[] = [];
    client.on('discoveryError', (e) => discoveryErrors.push(e.error));
    client.on('endpointRejected', (e) => rejected.push(e));
    let changes = 0;
    client.on('endpoints', () => changes++);

    // Calls, without pause, from four loops.
    let running = true;
    let calls = 0;
    const failures: string[] = [];
    const caller = async (): Promise<void> => {
      while (running) {
        try {
          const res = await client.fetch('/');
          await res.text();
          if (res.status !== 200) failures.push(`status ${res.status}`);
        } catch (err) {
          failures.push(String(err));
        }
        calls++;
      }
    };
    const callers = Array.from({ length: 4 }, () => caller());

    // The churn: one registry operation every 100 ms, alternating registration and deregistration.
    const started = performance.now();
    let ops = 0;
    let rotated = 0;
    for (let tick = 0; performance.now() - started < CHURN_MS; tick++) {
      const due = started + (tick + 1) * TICK_MS;
      if (tick % 2 === 0) {
        const idle = stable.filter((s) => !registered.has(s));
        let backend: TestServer;
        if (idle.length === 0 || random() < 0.4) {
          backend = await startServer(ok()); // a new backend, up before it registers
          rotating.add(backend);
          rotated++;
        } else {
          backend = idle[Math.floor(random() * idle.length)]!;
        }
        await register(backend);
      } else if (registered.size > MIN_REGISTERED) {
        const list = [...registered.keys()];
        const backend = list[Math.floor(random() * list.length)]!;
        const reg = registered.get(backend)!;
        registered.delete(backend);
        await reg.stop();
        if (rotating.has(backend)) {
          // Shut down once clients had time to see it go (a deploy's drain delay).
          closing.push(sleep(300).then(async () => {
            rotating.delete(backend);
            await backend.close();
          }));
        }
      }
      ops++;
      await sleep(Math.max(0, due - performance.now()));
    }

    // Churn over: how long until the client's view is etcd's?
    const stopped = performance.now();
    const inEtcd = async (): Promise<string[]> => Object.values(await etcd.getAll().prefix(prefix).strings()).map((v) => {
      const { port } = JSON.parse(v) as { port: number };
      return `http://127.0.0.1:${port}`;
    }).sort();
    const expected = await inEtcd();
    const view = (): string[] => client.endpoints().map((e) => e.id).sort();
    while (view().join() !== expected.join() && performance.now() - stopped < 5_000) await sleep(5);
    const converged = performance.now() - stopped;
    running = false;
    await Promise.all(callers);
    await Promise.all(closing);

    console.log(`etcd churn: ${ops} registry operations (${rotated} backends started and shut down), ${changes} endpoint changes seen, ${calls} calls, ${failures.length} failed; converged ${converged.toFixed(0)} ms after the churn stopped`);
    expect(failures.slice(0, 5)).toEqual([]);
    expect(view()).toEqual(expected);
    expect(converged).toBeLessThan(1_000);
    expect(ops).toBeGreaterThanOrEqual(CHURN_MS / TICK_MS * 0.8); // a loaded machine may fall a little behind the 100 ms beat
    expect(calls).toBeGreaterThan(1_000);
    expect(discoveryErrors).toEqual([]);
    expect(rejected).toEqual([]);
    expect(registrationErrors).toEqual([]);
    // What etcd holds is exactly what is registered.
    expect(expected).toEqual([...registered.keys()].map((s) => s.url).sort());
  }, 120_000);
});
