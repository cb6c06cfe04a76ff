// DNS discovery: endpoints from A records and from SRV records, re-read at the TTL. The example
// starts its own DNS server (dnsmasq, Debian package dnsmasq-base) on 127.0.0.1 and HTTP
// servers on 127.0.0.2–4 (Linux routes all of 127/8 to loopback).
//
//   npm run examples -- dns-discovery    (builds dist/, then runs it on the repository's Node 24;
//   or, once built: node_modules/.bin/node examples/dns-discovery.ts)
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chmod, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, dnsDiscovery, weightedRoundRobin, type Client } from 'bulwark';

const binary = ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq'].find((p) => { try { accessSync(p, constants.X_OK); return true; } catch { return false; } });
if (binary === undefined) {
  console.error('This example needs dnsmasq: apt-get update && apt-get install -y dnsmasq-base');
  process.exit(1);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(done: () => boolean, what: string, ms = 5_000): Promise<void> {
  for (let waited = 0; !done(); waited += 20) {
    if (waited > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A port free on 127.0.0.1 now (the OS picks it). */
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => probe.once('listening', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

// Three HTTP servers on one port, each answering with its address.
const port = await freePort();
const servers: Server[] = [];
for (const host of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
  const s = createServer((req, res) => res.end(host));
  await new Promise<void>((r) => s.listen(port, host, r));
  servers.push(s);
}

// dnsmasq, authoritative for *.internal: addresses from a hosts file (TTL 1 s, reloaded on
// SIGHUP), SRV records from its command line.
const dir = await mkdtemp(join(tmpdir(), 'bulwark-dns-example-'));
await chmod(dir, 0o755); // dnsmasq started as root reads the file as "nobody"
const hosts = join(dir, 'hosts');
const publish = async (lines: string[]): Promise<void> => {
  await writeFile(`${hosts}.tmp`, `${lines.join('\n')}\n`, { mode: 0o644 });
  await rename(`${hosts}.tmp`, hosts);
};
await publish(['127.0.0.2 api.internal', '127.0.0.3 api.internal', '127.0.0.2 a.internal', '127.0.0.3 b.internal', '127.0.0.4 c.internal']);
const dnsPort = await freePort();
const dnsmasq: ChildProcess = spawn(binary, [
  '--no-daemon', `--port=${dnsPort}`, '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts',
  '--conf-file=/dev/null', '--pid-file=', '--local=/internal/', `--addn-hosts=${hosts}`, '--local-ttl=1',
  `--srv-host=_http._tcp.jobs.internal,a.internal,${port},10,3`,
  `--srv-host=_http._tcp.jobs.internal,b.internal,${port},10,1`,
  `--srv-host=_http._tcp.jobs.internal,c.internal,${port},20,0`,
  `--srv-host=_http._tcp.jobs.internal,broken.internal,0,10,1`,
], { stdio: 'ignore' });
const resolvers = [`127.0.0.1:${dnsPort}`];

let api: Client | undefined;
let jobs: Client | undefined;
try {
  // A records: one endpoint per address, refreshed when the TTL (1 s) runs out.
  api = createClient({ name: 'api', discovery: dnsDiscovery({ name: 'api.internal', port, servers: resolvers, minInterval: 200 }) });
  const ids = (): string[] => api!.endpoints().map((e) => e.host);
  await until(() => ids().length === 2, 'the A records');
  console.log('api.internal →', ids(), 'hostname metadata:', api.endpoints()[0]!.metadata.hostname);
  const answers = new Set<string>();
  for (let i = 0; i < 6; i++) answers.add(await (await api.fetch('/')).text());
  assert.deepEqual([...answers].sort(), ['127.0.0.2', '127.0.0.3']);

  // The record changes: the client follows within the TTL.
  await publish(['127.0.0.4 api.internal', '127.0.0.2 a.internal', '127.0.0.3 b.internal', '127.0.0.4 c.internal']);
  dnsmasq.kill('SIGHUP');
  await until(() => ids().join() === '127.0.0.4', 'the changed A record');
  console.log('after the change →', ids(), '→', await (await api.fetch('/')).text());

  // SRV records: priority → level, weight → weight; the zero-port record is dropped with an event.
  jobs = createClient({ name: 'jobs', picker: weightedRoundRobin(), health: {}, discovery: dnsDiscovery({ srv: '_http._tcp.jobs.internal', servers: resolvers }) });
  const rejected: string[] = [];
  jobs.on('endpointRejected', (e) => rejected.push(`${e.entry}: ${e.reason}`));
  await until(() => jobs!.endpoints().length === 3, 'the SRV records');
  for (const e of jobs.endpoints()) console.log(`  ${e.host}:${e.port} priority ${e.priority} weight ${e.weight} (${e.metadata.hostname})`);
  console.log('rejected:', rejected);
  assert.deepEqual(jobs.endpoints().map((e) => [e.host, e.priority, e.weight]), [['127.0.0.2', 0, 3], ['127.0.0.3', 0, 1], ['127.0.0.4', 1, 1]]);
  assert.equal(rejected.length, 1);
  const counts: Record<string, number> = {};
  for (let i = 0; i < 40; i++) {
    const host = await (await jobs.fetch('/')).text();
    counts[host] = (counts[host] ?? 0) + 1;
  }
  console.log('40 calls:', counts); // priority 0 only, 3:1
  assert.deepEqual(counts, { '127.0.0.2': 30, '127.0.0.3': 10 });

  // DNS down: the clients keep their last good sets and report why.
  const errors: unknown[] = [];
  api.on('discoveryError', (e) => errors.push(e.error));
  dnsmasq.kill('SIGTERM');
  await until(() => errors.length > 0, 'a discovery error');
  console.log('dnsmasq stopped:', (errors[0] as Error).message, '— still calling', ids(), '→', await (await api.fetch('/')).text());
} finally {
  await Promise.all([api?.close(), jobs?.close()]);
  if (dnsmasq.exitCode === null && dnsmasq.signalCode === null) {
    dnsmasq.kill('SIGTERM');
    await new Promise((r) => dnsmasq.once('exit', r));
  }
  for (const s of servers) s.close();
  await rm(dir, { recursive: true, force: true });
}
