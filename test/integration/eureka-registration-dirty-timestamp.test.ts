// What broke: the registration body had no lastDirtyTimestamp; a Eureka whose clock was behind answered heartbeats 404 again and again.
// eurekaRegistration sends `lastDirtyTimestamp` (its own clock, taken at construction) with every
// heartbeat, but leaves it out of the registration body. Eureka (InstanceResource.renewLease ->
// validateDirtyTimestamp, shouldSyncWhenTimestampDiffers defaults to true) answers a heartbeat
// whose lastDirtyTimestamp is NEWER than the one it holds with 404 ("time to sync"); for a body
// without one, Eureka's InstanceInfo stamps the server's own clock. So a client whose clock is
// ahead of Eureka's gets 404 on its heartbeats and re-registers each time, for as long as the
// skew lasts. Eureka's own client sends lastDirtyTimestamp in the InstanceInfo it registers, so
// the server holds exactly the value the heartbeats carry.
// The server below is a plain node:http server implementing just that part of Eureka.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { eurekaRegistration } from '../../src/eureka/index.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';

const { defer } = closeAfterEach();

it('heartbeats are not answered 404 (and the instance not registered again and again) when Eureka\'s clock is behind the client\'s', async () => {
  const SKEW = 60_000; // Eureka's clock is a minute behind
  const serverNow = (): number => Date.now() - SKEW;
  const held = new Map<string, number>(); // instance id -> lastDirtyTimestamp Eureka holds
  const log: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://eureka');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      if (req.method === 'POST') {
        const { instance } = JSON.parse(Buffer.concat(chunks).toString()) as { instance: { instanceId: string; lastDirtyTimestamp?: string | number } };
        // InstanceInfo's constructor stamps lastDirtyTimestamp with the server's time; the JSON's value, if any, replaces it.
        held.set(instance.instanceId, instance.lastDirtyTimestamp === undefined ? serverNow() : Number(instance.lastDirtyTimestamp));
        log.push('POST 204');
        return void res.writeHead(204).end();
      }
      if (req.method === 'PUT') {
        const id = parts[3]!;
        const stored = held.get(id);
        const sent = url.searchParams.get('lastDirtyTimestamp');
        let status = 200;
        if (stored === undefined) status = 404;
        else if (sent !== null && Number(sent) > stored) status = 404; // validateDirtyTimestamp: "time to sync"
        log.push(`PUT ${status}`);
        return void res.writeHead(status).end();
      }
      if (req.method === 'DELETE') {
        held.delete(parts[3]!);
        return void res.writeHead(200).end();
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  defer(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/eureka`;

  const errors: unknown[] = [];
  const reg = eurekaRegistration({
    url, app: 'orders', heartbeatInterval: 40, leaseDuration: 1_000, backoff: { min: 20, max: 50 }, onError: (e) => errors.push(e),
    instance: { hostName: 'orders-1.local', ipAddr: '127.0.0.1', port: 8080 },
  });
  defer(() => reg.stop());
  await reg.registered;
  await sleep(500);
  await reg.stop();
  expect(log.filter((l) => l === 'POST 204')).toHaveLength(1);
  expect(log.filter((l) => l === 'PUT 404')).toEqual([]);
  expect(errors).toEqual([]);
});

it('a registration again after a 404 carries a newer lastDirtyTimestamp, the one the heartbeats after it carry; timestamps are strings of ms as in Eureka\'s InstanceInfo JSON', async () => {
  const posted: { lastDirtyTimestamp?: unknown; lastUpdatedTimestamp?: unknown }[] = [];
  const beats: string[] = [];
  let known = false;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://eureka');
      if (req.method === 'POST') {
        posted.push((JSON.parse(Buffer.concat(chunks).toString()) as { instance: { lastDirtyTimestamp?: unknown } }).instance);
        known = true;
        return void res.writeHead(204).end();
      }
      if (req.method === 'PUT') {
        beats.push(`${posted.length}:${url.searchParams.get('lastDirtyTimestamp') ?? ''}`);
        // Eureka forgets the instance once (evicted, restarted), after its second heartbeat.
        const status = known ? 200 : 404;
        if (beats.length === 2) known = false;
        return void res.writeHead(status).end();
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  defer(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/eureka`;
  const reg = eurekaRegistration({
    url, app: 'orders', heartbeatInterval: 30, leaseDuration: 1_000, backoff: { min: 20, max: 50 },
    instance: { hostName: 'orders-1.local', ipAddr: '127.0.0.1', port: 8080 },
  });
  defer(() => reg.stop());
  await reg.registered;
  await sleep(400);
  await reg.stop();
  expect(posted).toHaveLength(2);
  for (const p of posted) {
    expect(p.lastDirtyTimestamp).toMatch(/^\d+$/);
    expect(p.lastUpdatedTimestamp).toBe(p.lastDirtyTimestamp);
  }
  const [first, second] = posted.map((p) => Number(p.lastDirtyTimestamp));
  expect(second).toBeGreaterThan(first!);
  // Each heartbeat carries the value of the registration before it (the 404 one included).
  const expected = (n: number): string => String(posted[n - 1]!.lastDirtyTimestamp);
  expect(beats.length).toBeGreaterThan(3);
  for (const b of beats) {
    const [n, sent] = b.split(':');
    expect(sent).toBe(expected(Number(n)));
  }
});
