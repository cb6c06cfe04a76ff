// Consul discovery: the client follows Consul's health endpoint with blocking queries, so a
// deregistered instance leaves the set as soon as Consul says so. A tiny stand-in for the
// Consul agent (its documented JSON and X-Consul-Index blocking) runs in-process here.
//
//   npm run examples -- consul-discovery    (builds dist/, then runs it on the repository's Node 24;
//   or, once built: node_modules/.bin/node examples/consul-discovery.ts)
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'bulwark';
import { consulDiscovery } from 'bulwark/consul';

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};
const backends = [createServer((req, res) => res.end('a')), createServer((req, res) => res.end('b'))];
const ports = await Promise.all(backends.map(listen));

// The stand-in agent: X-Consul-Index is `index`; a request with ?index=N waits until it moves past N.
let index = 1;
let live = [...ports];
const waiting = new Set<() => void>();
const consul = createServer((req, res) => {
  const url = new URL(req.url!, 'http://consul');
  const answer = (): void => {
    const body = live.map((port, i) => ({ Node: { Node: `node-${i}`, Address: '127.0.0.1', Datacenter: 'dc1' }, Service: { ID: `web-${port}`, Service: 'web', Address: '', Port: port, Tags: ['v1'], Meta: {}, Weights: { Passing: 1, Warning: 1 } }, Checks: [{ Status: 'passing' }] }));
    res.writeHead(200, { 'content-type': 'application/json', 'x-consul-index': String(index) }).end(JSON.stringify(body));
  };
  if (Number(url.searchParams.get('index') ?? 0) < index) return answer();
  waiting.add(answer);
  res.on('close', () => waiting.delete(answer));
});
const consulPort = await listen(consul);
const change = (next: number[]): void => {
  live = next;
  index++;
  for (const answer of waiting) answer();
  waiting.clear();
};

const web = createClient({ name: 'web', discovery: consulDiscovery({ service: 'web', url: `http://127.0.0.1:${consulPort}` }) });
web.on('endpoints', (e) => console.log('endpoints:', e.endpoints.map((x) => `${x.url} tags=${x.metadata['consul.tags']}`)));
const bodies = new Set<string>();
for (let i = 0; i < 4; i++) bodies.add(await (await web.fetch('/')).text());
assert.deepEqual([...bodies].sort(), ['a', 'b']);

// Deregister b: the held blocking query answers at once, and calls go to a only.
const changed = new Promise((resolve) => web.once('endpoints', resolve));
change([ports[0]!]);
await changed;
for (let i = 0; i < 3; i++) assert.equal(await (await web.fetch('/')).text(), 'a');
console.log('after deregistering b, every call went to a');

// close() aborts the blocking query in flight: the stand-in sees its connection go.
await web.close();
await new Promise((resolve) => setTimeout(resolve, 50));
assert.equal(waiting.size, 0);
for (const s of [consul, ...backends]) s.close();
