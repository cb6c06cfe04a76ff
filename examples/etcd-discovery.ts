// Discovery through etcd: two backends register themselves under a prefix with leases
// (etcdRegistration), a client discovers them (etcdDiscovery) and calls them; one backend
// deregisters and the client follows at once. The example starts its own etcd (Debian
// `etcd-server`, /usr/bin/etcd) on free ports and removes it at the end.
//
//   npm run examples -- etcd-discovery    (builds dist/, then runs it on the repository's Node 24;
//   or, once built: node_modules/.bin/node examples/etcd-discovery.ts)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { createClient } from 'bulwark';
import { etcdDiscovery, etcdRegistration } from 'bulwark/etcd';

const freePort = async (): Promise<number> => {
  const s = createNetServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
};

// A one-member etcd for this example (killed when the example exits, however it exits).
if (!existsSync('/usr/bin/etcd')) {
  console.error('this example runs /usr/bin/etcd: apt-get install etcd-server');
  process.exit(1);
}
const dir = await mkdtemp(join(tmpdir(), 'bulwark-etcd-example-'));
const [clientPort, peerPort] = [await freePort(), await freePort()];
const etcdUrl = `http://127.0.0.1:${clientPort}`;
const peerUrl = `http://127.0.0.1:${peerPort}`;
const etcdProcess = spawn('/usr/bin/etcd', [
  '--name', 'example', '--data-dir', join(dir, 'data'),
  '--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl,
  '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `example=${peerUrl}`,
], { stdio: 'ignore' });
const etcdExited = new Promise((resolve) => etcdProcess.once('exit', resolve));
process.once('exit', () => etcdProcess.kill('SIGKILL'));
for (let i = 0; ; i++) {
  const healthy = await fetch(`${etcdUrl}/health`).then((r) => r.json(), () => undefined) as { health?: string } | undefined;
  if (healthy?.health === 'true') break;
  assert.ok(i < 200, 'etcd did not start');
  await new Promise((resolve) => setTimeout(resolve, 50));
}

// Your etcd3 client: bulwark uses it, never creates or closes one.
const etcd = new Etcd3({ hosts: etcdUrl });

// Two backends, each registering itself under services/greeter/ (in real life: in its own process).
async function startBackend(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => res.end(name));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}
const [one, two] = [await startBackend('one'), await startBackend('two')];
const regOne = etcdRegistration({ client: etcd, prefix: 'services/greeter/', endpoint: { host: '127.0.0.1', port: one.port, zone: 'eu-1' } });
const regTwo = etcdRegistration({ client: etcd, prefix: 'services/greeter/', endpoint: { host: '127.0.0.1', port: two.port, zone: 'eu-1' } });
await Promise.all([regOne.ready, regTwo.ready]);
console.log('registered:', regOne.key, regTwo.key);

// A client of the greeter service, fed by etcd.
const greeter = createClient({ name: 'greeter', discovery: etcdDiscovery({ client: etcd, prefix: 'services/greeter/' }) });
while (greeter.endpoints().length < 2) await new Promise((resolve) => greeter.once('endpoints', resolve));
console.log('discovered:', greeter.endpoints().map((e) => `${e.url} (zone ${e.zone})`));

const answers = new Set<string>();
for (let i = 0; i < 6; i++) answers.add(await (await greeter.fetch('/')).text());
console.log('answered by:', [...answers].sort());
assert.deepEqual([...answers].sort(), ['one', 'two']);

// Backend one deregisters (its lease is revoked: etcd deletes the entry at once); the client follows.
await regOne.stop();
while (greeter.endpoints().length !== 1) await new Promise((resolve) => greeter.once('endpoints', resolve));
console.log('after one left:', greeter.endpoints().map((e) => e.url));
for (let i = 0; i < 4; i++) assert.equal(await (await greeter.fetch('/')).text(), 'two');
console.log('every call now goes to two');

// Shut down: the client's close() cancels its watch; stop() revokes the lease.
await greeter.close();
await regTwo.stop();
etcd.close();
one.server.close();
two.server.close();
etcdProcess.kill();
await etcdExited;
await rm(dir, { recursive: true, force: true });
