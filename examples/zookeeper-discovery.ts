// Discovery through ZooKeeper: two backends register themselves as ephemeral znodes, a client
// finds them under the service's path and spreads calls over them, and when one backend stops
// (its node removed) the client stops calling it. Starts its own ZooKeeper (Debian's
// `zookeeper` package: apt-get install -y zookeeper) on a free port.
//
//   npm run examples -- zookeeper-discovery    (builds dist/, then runs it on the repository's Node 24;
//   or, once built: node_modules/.bin/node examples/zookeeper-discovery.ts)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zookeeper from 'node-zookeeper-client';
import { createClient, roundRobin } from 'bulwark';
import { zookeeperDiscovery, zookeeperRegistration } from 'bulwark/zookeeper';

const JAR = '/usr/share/java/zookeeper.jar';
if (!existsSync('/usr/bin/java') || !existsSync(JAR)) {
  console.error('ZooKeeper is not installed: apt-get update && apt-get install -y zookeeper');
  process.exit(1);
}

const freePort = async (): Promise<number> => {
  const s = createNetServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
};
const answers = (port: number): Promise<boolean> => new Promise((resolve) => {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('connect', () => socket.end('ruok')).on('data', (d) => (text += d)).on('error', () => {}).on('close', () => resolve(text === 'imok'));
});

// 1. A standalone ZooKeeper on 127.0.0.1, with its own data directory.
const dir = await mkdtemp(join(tmpdir(), 'bulwark-zk-example-'));
const zkPort = await freePort();
await writeFile(join(dir, 'zoo.cfg'), `tickTime=500\ndataDir=${dir}/data\nclientPort=${zkPort}\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n4lw.commands.whitelist=ruok\n`);
const zk = spawn('/usr/bin/java', ['-Xmx128m', '-XX:TieredStopAtLevel=1', '-cp', `${JAR}:/usr/share/java/*`, 'org.apache.zookeeper.server.ZooKeeperServerMain', join(dir, 'zoo.cfg')], { stdio: 'ignore' });
while (!(await answers(zkPort))) await new Promise((resolve) => setTimeout(resolve, 100));
const connection = `127.0.0.1:${zkPort}`;
console.log(`ZooKeeper is up on ${connection}`);

// bulwark makes (and closes) its own ZooKeeper clients, and opens a new session if one expires.
const zkClient = (): zookeeper.Client => zookeeper.createClient(connection, { sessionTimeout: 4_000 });

// 2. Two backends, each registering itself under /services/greeter (as Curator's ServiceInstance).
async function backend(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => res.end(name));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}
const [blue, green] = await Promise.all([backend('blue'), backend('green')]);
const registrations = [blue, green].map(({ port }) =>
  zookeeperRegistration({ client: zkClient, path: '/services/greeter', format: 'curator', instance: { host: '127.0.0.1', port } }));
console.log('registered:', await Promise.all(registrations.map((r) => r.registered)));

// 3. A client that discovers the greeter's instances and spreads calls over them.
const greeter = createClient({ name: 'greeter', picker: roundRobin(), discovery: zookeeperDiscovery({ client: zkClient, path: '/services/greeter' }) });
const seen = async (calls: number): Promise<string[]> => {
  const bodies = new Set<string>();
  for (let i = 0; i < calls; i++) bodies.add(await (await greeter.fetch('/')).text());
  return [...bodies].sort();
};
while (greeter.endpoints().length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
const both = await seen(10);
console.log('answers from:', both);
assert.deepEqual(both, ['blue', 'green']);

// 4. blue shuts down: its registration removes its node, and the client follows.
const removed = new Promise<string[]>((resolve) => greeter.once('endpoints', (e) => resolve(e.removed.map((x) => x.url))));
await registrations[0]!.stop();
blue.server.close();
console.log('removed:', await removed);
const after = await seen(10);
console.log('answers from:', after);
assert.deepEqual(after, ['green']);

// 5. Close everything: nothing keeps the process alive afterwards.
await greeter.close();
await registrations[1]!.stop();
green.server.close();
await new Promise((resolve) => { zk.once('exit', resolve); zk.kill('SIGKILL'); });
await rm(dir, { recursive: true, force: true });
console.log('done');
