// What broke (found by the fetch review): a retried 503 whose body was larger than what undici
// had buffered (here 100 kB; a proxy's HTML error page is 1–150 kB) had its body cancelled,
// which makes undici close the connection: the retry went out on a new one, and undici opened a
// spare each time (3 requests, 5 TCP connections). Its body is now read away in the background
// (at most 128 KiB within 1 s, as bulwark/undici does), so the connection carries the retry.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';

const { track, defer } = closeAfterEach();

/** A server answering 503 (with a `size`-byte body) to its first `fails` requests, then 200; it logs connections and requests. */
async function flaky(size: number, fails: number): Promise<{ url: string; log: string[]; connections(): number; requests(): number }> {
  const log: string[] = [];
  let connections = 0;
  let requests = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    requests++;
    log.push(`request on connection ${(req.socket as Socket & { id?: number }).id}`);
    req.resume();
    if (requests <= fails) res.writeHead(503, { 'content-type': 'text/html', 'content-length': size }).end(Buffer.alloc(size, 'x'));
    else res.writeHead(200).end('ok');
  });
  server.on('connection', (socket: Socket & { id?: number }) => {
    socket.id = ++connections;
    log.push(`connection ${socket.id} opened`);
    sockets.add(socket);
    socket.on('close', () => { log.push(`connection ${socket.id} closed`); sockets.delete(socket); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  defer(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, log, connections: () => connections, requests: () => requests };
}

describe('client.fetch: a retried 503 frees its connection for the retry', () => {
  it('a small 503 body: the retries reuse the connection (holds)', async () => {
    const s = await flaky(100, 2);
    const client = track(createClient({ name: 'svc', discovery: [s.url], health: false }));
    const res = await client.fetch('/x');
    expect(await res.text()).toBe('ok');
    expect(s.requests()).toBe(3);
    expect(s.connections()).toBe(1);
  });

  it('FAILS: a 100 kB 503 body: the retries need no more connections than requests', async () => {
    const s = await flaky(100_000, 2);
    const client = track(createClient({ name: 'svc', discovery: [s.url], health: false }));
    const res = await client.fetch('/x');
    expect(await res.text()).toBe('ok');
    expect(s.requests()).toBe(3);
    // Got 5: each retry opened a connection before the 503's was closed, plus a spare one that
    // carried nothing (see s.log).
    expect(s.connections(), s.log.join('\n')).toBeLessThanOrEqual(s.requests());
  });
});

describe('a retried 503 body still being read away when the client closes', () => {
  it('is given up at close(): nothing of the call outlives it', async () => {
    let closedAt = Infinity;
    const t0 = performance.now();
    const s = await new Promise<{ url: string; server: Server }>((resolve) => {
      let n = 0;
      const server = createServer((req, res) => {
        req.resume();
        if (n++ > 0) return void res.end('ok');
        res.on('close', () => { closedAt = performance.now() - t0; });
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.write('busy, '); // and never ends
      });
      server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }));
    });
    defer(() => new Promise<void>((resolve) => { s.server.closeAllConnections(); s.server.close(() => resolve()); }));
    const client = createClient({ name: 'svc', discovery: [s.url], health: false, retry: { budget: false, backoff: { base: 0, cap: 0 } } });
    const res = await client.fetch('/x');
    expect(await res.text()).toBe('ok');
    const closing = performance.now() - t0;
    await client.close();
    for (let i = 0; i < 50 && closedAt === Infinity; i++) await new Promise((r) => setTimeout(r, 10));
    expect(closedAt - closing).toBeLessThan(500); // not the 1 s the read-away would have taken
  });
});
