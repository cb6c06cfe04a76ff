// Eureka: a service registers itself (heartbeats renew its lease) and a client finds it by app
// name. A tiny stand-in for the Eureka server (its documented JSON) runs in-process here.
//
//   npm run examples -- eureka-discovery    (builds dist/, then runs it on the repository's Node 24;
//   or, once built: node_modules/.bin/node examples/eureka-discovery.ts)
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'bulwark';
import { eurekaDiscovery, eurekaRegistration } from 'bulwark/eureka';

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

// The stand-in: POST registers, PUT renews (404 if unknown), DELETE cancels, GET lists the app.
const instances = new Map<string, unknown>();
const eureka = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c));
  req.on('end', () => {
    const [, , , app, id] = new URL(req.url!, 'http://eureka').pathname.split('/').map(decodeURIComponent);
    if (req.method === 'POST') {
      const { instance } = JSON.parse(body) as { instance: { instanceId: string } };
      instances.set(instance.instanceId, instance);
      return void res.writeHead(204).end();
    }
    if (req.method === 'PUT' || req.method === 'DELETE') {
      const known = instances.has(id!);
      if (req.method === 'DELETE') instances.delete(id!);
      return void res.writeHead(known ? 200 : 404).end();
    }
    if (instances.size === 0) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ application: { name: app, instance: [...instances.values()] } }));
  });
});
const url = `http://127.0.0.1:${await listen(eureka)}/eureka`;

const backend = createServer((req, res) => res.end('hello from orders'));
const port = await listen(backend);
const registration = eurekaRegistration({ url, app: 'orders', instance: { hostName: 'localhost', ipAddr: '127.0.0.1', port } });
await registration.registered;
console.log('registered', registration.instanceId);

const orders = createClient({ name: 'orders', discovery: eurekaDiscovery({ url, app: 'orders' }) });
const response = await orders.fetch('/');
assert.equal(await response.text(), 'hello from orders');
console.log('called', orders.endpoints().map((e) => e.url));

// Stopping the registration cancels the lease: Eureka no longer lists the instance.
await registration.stop();
assert.equal(instances.size, 0);
console.log('deregistered; Eureka lists', instances.size, 'instances');
await orders.close();
eureka.close();
backend.close();
