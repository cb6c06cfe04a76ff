// etcdRegistration against a real etcd (Debian etcd-server), started by this file on free ports:
// the entry is written with a lease, updated, revoked on stop, written again when the lease is
// lost; a SIGKILLed process's entry disappears when its lease expires; and a process that stops
// everything it started exits by itself. Child processes run a build of the package of their own.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { EtcdError, etcdDiscovery, etcdRegistration } from '../../src/etcd/index.js';
import { describeWith, freePort } from '../helpers/binaries.js';
import { buildForChildren, etcdBinary, EtcdServer } from '../helpers/etcd.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';

const backoff = { min: 100, max: 1_000 };

describeWith(etcdBinary, 'etcdRegistration against a real etcd', () => {
  let server: EtcdServer;
  let etcd: Etcd3;
  let dir: string;
  let build: Awaited<ReturnType<typeof buildForChildren>>;
  beforeAll(async () => {
    server = await EtcdServer.start();
    etcd = new Etcd3({ hosts: server.url });
    dir = await mkdtemp(join(tmpdir(), 'bulwark-etcd-child-'));
    build = await buildForChildren();
  });
  afterAll(async () => {
    etcd?.close();
    await server?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    await build?.remove();
  });
  const { track, servers, defer } = closeAfterEach();
  let n = 0;
  const nextPrefix = (): string => `services/r${++n}/`;
  const value = async (key: string): Promise<unknown> => {
    const text = await etcd.get(key).string();
    return text === null ? null : JSON.parse(text);
  };
  const leaseOf = async (key: string): Promise<string | undefined> => (await etcd.get(key).exec()).kvs[0]?.lease;
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1]);
  };
  /** Runs `script` (an ES module) with node; resolves once it prints `ready`. */
  const child = async (name: string, script: string): Promise<{ proc: ChildProcess; exited: Promise<number | null>; output: () => string }> => {
    const file = join(dir, `${name}.mjs`);
    await writeFile(file, script);
    const proc = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    defer(async () => { proc.kill('SIGKILL'); await exited; });
    await until(() => out.includes('ready') || proc.exitCode !== null, 15_000);
    if (!out.includes('ready')) throw new Error(`child ${name} did not start: ${out}`);
    return { proc, exited, output: () => out };
  };

  it('writes the entry under a lease, updates it, and revokes the lease on stop', async () => {
    const [a] = await servers(ok());
    const prefix = nextPrefix();
    const reg = etcdRegistration({ client: etcd, prefix, endpoint: { host: '127.0.0.1', port: a!.port, zone: 'eu-1', metadata: { version: '1' } }, ttl: 5 });
    expect(await reg.ready).toBe(true);
    expect(reg.registered).toBe(true);
    expect(reg.key).toBe(`${prefix}127.0.0.1:${a!.port}`);
    expect(await value(reg.key)).toEqual({ host: '127.0.0.1', port: a!.port, zone: 'eu-1', metadata: { version: '1' } });
    const lease = await leaseOf(reg.key);
    expect(lease).not.toBe('0');
    const ttl = await etcd.leaseClient.leaseTimeToLive({ ID: lease! });
    expect(Number(ttl.grantedTTL)).toBe(5);

    const client = track(createClient({ name: 'users', discovery: etcdDiscovery({ client: etcd, prefix, backoff }) }));
    const errors: unknown[] = [];
    client.on('discoveryError', (e) => errors.push(e.error));
    await until(() => client.endpoints().length === 1, 10_000);
    expect(client.endpoints()[0]!.zone).toBe('eu-1');
    expect((await client.fetch('/')).status).toBe(200);

    expect(await reg.update(`http://127.0.0.1:${a!.port}/v2`)).toBe(true);
    expect(await value(reg.key)).toEqual({ host: '127.0.0.1', port: a!.port, basePath: '/v2' });
    expect(await leaseOf(reg.key)).toBe(lease); // same key, same lease
    // The same description again is written already; two quick updates both settle, the last wins.
    expect(await reg.update(`http://127.0.0.1:${a!.port}/v2`)).toBe(true);
    expect(await Promise.all([reg.update(`http://127.0.0.1:${a!.port}/v3`), reg.update(`http://127.0.0.1:${a!.port}/v2`)])).toEqual([true, true]);
    expect(await value(reg.key)).toEqual({ host: '127.0.0.1', port: a!.port, basePath: '/v2' });
    await until(() => client.endpoints()[0]?.basePath === '/v2', 10_000);
    expect([client.endpoints().map((e) => e.url), errors.map(String)]).toEqual([[`http://127.0.0.1:${a!.port}/v2`], []]);

    const revokedBefore = await metric('etcd_debugging_lease_revoked_total');
    await reg.stop();
    expect(reg.registered).toBe(false);
    expect(await value(reg.key)).toBeNull(); // gone at once, not after the TTL
    expect(await metric('etcd_debugging_lease_revoked_total')).toBe(revokedBefore + 1);
    await until(() => client.endpoints().length === 0, 10_000);
    expect(client.endpoints()).toEqual([]);
    expect(await reg.update({ host: '127.0.0.1', port: 1 })).toBe(false);
  });

  it('registers again when the lease is lost', async () => {
    const prefix = nextPrefix();
    const errors: Error[] = [];
    const reg = etcdRegistration({ client: etcd, prefix, endpoint: '127.0.0.1:9001', ttl: 2, backoff, onError: (e) => errors.push(e) });
    defer(() => reg.stop());
    await reg.ready;
    const first = await leaseOf(reg.key);
    // Someone (an operator, an etcd restore) revokes the lease: the entry goes with it ...
    await etcd.leaseClient.leaseRevoke({ ID: first! });
    expect(await value(reg.key)).toBeNull();
    // ... and the next keep-alive finds it gone: a new lease, the entry written again.
    await until(() => errors.length > 0, 5_000);
    await until(() => reg.registered, 5_000);
    const second = await leaseOf(reg.key);
    expect(second).toMatch(/^[1-9]\d*$/); // a lease, not etcd's '0' for none
    expect(second).not.toBe(first);
    expect(await value(reg.key)).toEqual({ host: '127.0.0.1', port: 9001 });
    expect(errors[0]!.message).toMatch(/etcd registration of "services\/r\d+\/127.0.0.1:9001": lease lost; registering again/);
    expect(errors[0]).toBeInstanceOf(EtcdError);
  });

  it('a short etcd restart keeps the entry under its lease: the keep-alives resume', async () => {
    const prefix = nextPrefix();
    const errors: Error[] = [];
    const reg = etcdRegistration({ client: etcd, prefix, endpoint: '127.0.0.1:9003', backoff, onError: (e) => errors.push(e) });
    defer(() => reg.stop());
    await reg.ready;
    const lease = await leaseOf(reg.key);
    await server.kill('SIGKILL');
    await server.resume(); // etcd restores its leases with their full TTL (10 s here)
    await sleep(6_500);
    // Without keep-alives since the restart, 3.5 s would be left; they run every TTL/3.
    const left = Number((await etcd.leaseClient.leaseTimeToLive({ ID: lease! })).TTL);
    expect(left).toBeGreaterThan(5);
    expect(await leaseOf(reg.key)).toBe(lease);
    expect(await value(reg.key)).toEqual({ host: '127.0.0.1', port: 9003 });
    expect(errors.filter((e) => /lease lost/.test(e.message))).toEqual([]);
  }, 30_000);

  it('after an outage longer than the lease, the entry comes back under a new lease', async () => {
    const prefix = nextPrefix();
    const errors: Error[] = [];
    const reg = etcdRegistration({ client: etcd, prefix, endpoint: '127.0.0.1:9002', ttl: 2, backoff, onError: (e) => errors.push(e) });
    defer(() => reg.stop());
    await reg.ready;
    const first = await leaseOf(reg.key);
    // Down for longer than 2×TTL: the keep-alive gives the lease up; once etcd is back, a new one.
    await server.kill('SIGKILL');
    await sleep(4_500);
    await server.resume();
    await until(() => errors.some((e) => /lease lost/.test(e.message)), 15_000);
    await until(() => reg.registered, 15_000);
    let lease: string | undefined;
    await until(() => { void leaseOf(reg.key).then((l) => { lease = l; }, () => {}); return lease !== undefined && lease !== first; }, 15_000);
    expect(lease).not.toBe(first);
    // The old lease, refreshed by etcd's restart, expires without taking the entry along.
    await sleep(3 * 2_000);
    expect(await value(reg.key)).toEqual({ host: '127.0.0.1', port: 9002 });
  }, 60_000);

  it("a SIGKILLed process's entry disappears when its lease expires, and discovering clients drop it", async () => {
    const [a, b] = await servers(ok(), ok());
    const prefix = nextPrefix();
    await etcd.put(`${prefix}static-b`).value(JSON.stringify({ host: '127.0.0.1', port: b!.port }));
    const client = track(createClient({ name: 'users', discovery: etcdDiscovery({ client: etcd, prefix, backoff }) }));
    const worker = await child('crash', `
      import { createRequire } from 'node:module';
      const { Etcd3 } = createRequire(import.meta.url)(${JSON.stringify(build.etcd3)});
      const { etcdRegistration } = await import(${JSON.stringify(build.etcd)});
      const etcd = new Etcd3({ hosts: ${JSON.stringify(server.url)} });
      const reg = etcdRegistration({ client: etcd, prefix: ${JSON.stringify(prefix)}, endpoint: { host: '127.0.0.1', port: ${a!.port} }, ttl: 2 });
      await reg.ready;
      console.log('ready');
      setInterval(() => {}, 1000);
    `);
    await until(() => client.endpoints().length === 2, 10_000);
    const key = `${prefix}127.0.0.1:${a!.port}`;
    expect(await value(key)).toEqual({ host: '127.0.0.1', port: a!.port });
    worker.proc.kill('SIGKILL');
    await worker.exited;
    const killedAt = Date.now();
    expect(await value(key)).not.toBeNull(); // nobody revoked it: it waits for the TTL
    let gone = false;
    await until(() => { void value(key).then((v) => { gone = v === null; }); return gone; }, 10_000);
    const after = Date.now() - killedAt;
    expect(gone).toBe(true);
    expect(after).toBeGreaterThan(500); // the lease expired; nothing deleted it at once
    await until(() => client.endpoints().length === 1, 5_000);
    expect(client.endpoints().map((e) => e.port)).toEqual([b!.port]);
    expect((await client.fetch('/')).status).toBe(200);
  }, 30_000);

  it('a process that stops its discovery, registration and config watch and closes etcd3 exits by itself', async () => {
    const prefix = nextPrefix();
    const watchersBefore = await metric('etcd_debugging_mvcc_watcher_total');
    const worker = await child('clean-exit', `
      import { createRequire } from 'node:module';
      import { createServer } from 'node:http';
      const { Etcd3 } = createRequire(import.meta.url)(${JSON.stringify(build.etcd3)});
      const { createClient } = await import(${JSON.stringify(build.index)});
      const { etcdDiscovery, etcdRegistration, etcdConfig } = await import(${JSON.stringify(build.etcd)});
      const backend = createServer((req, res) => res.end('ok'));
      await new Promise((r) => backend.listen(0, '127.0.0.1', r));
      const etcd = new Etcd3({ hosts: ${JSON.stringify(server.url)} });
      const reg = etcdRegistration({ client: etcd, prefix: ${JSON.stringify(prefix)}, endpoint: { host: '127.0.0.1', port: backend.address().port }, ttl: 5 });
      await reg.ready;
      const client = createClient({ name: 'users', discovery: etcdDiscovery({ client: etcd, prefix: ${JSON.stringify(prefix)} }) });
      client.watchConfig(etcdConfig({ client: etcd, key: ${JSON.stringify(`${prefix}config`)} }));
      const res = await client.fetch('/');
      if (res.status !== 200) throw new Error('call failed');
      await res.text();
      console.log('ready');
      await new Promise((r) => setTimeout(r, 300));
      await client.close();
      await reg.stop();
      etcd.close();
      backend.close();
      console.log('stopped');
    `);
    const code = await Promise.race([worker.exited, sleep(10_000).then(() => 'still running')]);
    expect(worker.output()).toContain('stopped');
    expect(code).toBe(0);
    expect((await etcd.getAll().prefix(prefix).keys())).toEqual([]);
    // etcd drops a closed stream's watchers a moment later.
    await until(async () => (await metric('etcd_debugging_mvcc_watcher_total')) === watchersBefore, 5_000);
    expect(await metric('etcd_debugging_mvcc_watcher_total')).toBe(watchersBefore);
  }, 30_000);

  it('stopped while etcd is unreachable, everything settles and the process exits by itself', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`; // nothing listens there
    const worker = await child('unreachable-exit', `
      import { createRequire } from 'node:module';
      const { Etcd3 } = createRequire(import.meta.url)(${JSON.stringify(build.etcd3)});
      const { createClient } = await import(${JSON.stringify(build.index)});
      const { etcdDiscovery, etcdRegistration, etcdConfig } = await import(${JSON.stringify(build.etcd)});
      const etcd = new Etcd3({ hosts: ${JSON.stringify(nowhere)} });
      const errors = { discovery: 0, registration: 0, config: 0 };
      const backoff = { min: 100, max: 200 };
      const reg = etcdRegistration({ client: etcd, prefix: 'services/x/', endpoint: '127.0.0.1:1', backoff, onError: () => errors.registration++ });
      const client = createClient({ name: 'users', discovery: etcdDiscovery({ client: etcd, prefix: 'services/x/', backoff }) });
      client.on('discoveryError', () => errors.discovery++);
      client.on('configRejected', () => errors.config++);
      client.watchConfig(etcdConfig({ client: etcd, key: 'config/x', backoff }));
      console.log('ready');
      await new Promise((r) => setTimeout(r, 1500)); // failing, backing off
      const t = performance.now();
      await client.close();
      await reg.stop();
      const registered = await reg.ready;
      etcd.close();
      console.log('stopped', JSON.stringify({ ...errors, registered, ms: Math.round(performance.now() - t) }));
    `);
    const code = await Promise.race([worker.exited, sleep(15_000).then(() => 'still running')]);
    expect(code).toBe(0);
    const report = JSON.parse(/stopped (.*)/.exec(worker.output())![1]!) as Record<string, number | boolean>;
    expect(report).toMatchObject({ registered: false });
    expect(report.discovery).toBeGreaterThan(0);
    expect(report.registration).toBeGreaterThan(0);
    expect(report.config).toBeGreaterThan(0);
  }, 30_000);

  it('refuses bad options with ConfigError, and never publishes credentials', () => {
    const base = { client: etcd, prefix: 'services/x/' };
    expect(() => etcdRegistration({ ...base, endpoint: 'http://user:secret@10.0.0.1:80' })).toThrow(/must not hold credentials/);
    try {
      etcdRegistration({ ...base, endpoint: 'http://user:secret@10.0.0.1:80' });
    } catch (err) {
      expect(String(err)).not.toContain('secret');
    }
    expect(() => etcdRegistration({ ...base, endpoint: { host: '10.0.0.1', port: 70_000 } })).toThrow(/endpoint.port/);
    expect(() => etcdRegistration({ ...base, endpoint: { host: '10.0.0.1', port: 80, metadata: { pad: 'x'.repeat(70_000) } } })).toThrow(/over the 65536-byte limit/);
    expect(() => etcdRegistration({ ...base, endpoint: '10.0.0.1:80', ttl: 0 })).toThrow(/ttl must be a whole number from 1/);
    expect(() => etcdRegistration({ ...base, endpoint: '10.0.0.1:80', ttl: 1.5 })).toThrow(/ttl must be a whole number/);
  });

  it('names an IPv6 instance in brackets', async () => {
    const reg = etcdRegistration({ client: etcd, prefix: 'services/v6/', endpoint: { host: '::1', port: 8080 } });
    defer(() => reg.stop());
    expect(reg.key).toBe('services/v6/[::1]:8080');
    await reg.ready;
    expect(await value(reg.key)).toEqual({ host: '::1', port: 8080 });
  });
});
