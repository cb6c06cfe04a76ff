// What broke (found by the undici review): an attempt the interceptor's pipeline cancels (attempt timeout, lost hedge) while it
// still waits in the Agent's pool queue (all `connections` busy) is not taken out of the queue.
// It stays queued after the call has ended; when it reaches the front, undici starts it, bulwark
// aborts it in onRequestStart, and undici's abort destroys the keep-alive socket it was given.
// The request transport (createUndiciClient) passes undici an abort handle, so its queued
// attempts are removed at once: the control case below passes.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin } from '../../src/index.js';
import { bulwarkInterceptor, createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';

const { defer } = closeAfterEach();

/** A server that counts the TCP connections it accepted; `/slow` answers after 600 ms. */
async function server(name: string): Promise<{ url: string; port: number; connections: () => number }> {
  let connections = 0;
  const s = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    if (req.url === '/slow') setTimeout(() => res.end('slow'), 600);
    else res.end(name);
  });
  const sockets = new Set<import('node:net').Socket>();
  s.on('connection', (c) => { connections++; sockets.add(c); c.on('close', () => sockets.delete(c)); });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  defer(async () => { for (const c of sockets) c.destroy(); await new Promise((r) => s.close(r)); });
  const port = (s.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, connections: () => connections };
}

describe('an attempt cancelled while it waits in the pool queue', () => {
  it('interceptor: is taken out of the queue, and does not cost the endpoint its keep-alive connection', async () => {
    const a = await server('a');
    const b = await server('b');
    const client = createClient({ name: 'svc', discovery: [a.url, b.url], picker: roundRobin({ random: () => 0 }), timeout: { attempt: 100 }, health: false });
    defer(() => client.close());
    const agent = new Agent({ connections: 1 }).compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.destroy().catch(() => {}));
    // A's only connection is busy with a request that passes through untouched (another origin).
    const slow = request(`${a.url}/slow`, { dispatcher: agent }).then((r) => r.body.text(), (e: Error) => e.message);
    await sleep(50);
    const reasons: string[] = [];
    client.on('attempt', (e) => reasons.push(`${e.endpoint.port === a.port ? 'A' : 'B'} ${e.reason}`));
    const res = await request('http://svc.internal/x', { dispatcher: agent });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('b');
    expect(reasons).toEqual(['A attempt timeout', 'B status 200']);
    // The call is over: nothing of its cancelled attempt should still wait for A's connection.
    const stats = (agent as unknown as { stats: Record<string, { pending: number }> }).stats;
    expect.soft(stats[a.url]?.pending).toBe(0); // (was: 1)
    expect(await slow).toBe('slow');
    await sleep(50);
    // A's keep-alive connection should carry the next request to A.
    await (await request(`${a.url}/y`, { dispatcher: agent })).body.text();
    expect(a.connections()).toBe(1); // (was: 2 (the stale attempt's abort destroyed the socket))
  });

  it('request transport (control): the cancelled attempt leaves the queue at once, the connection is kept', async () => {
    const a = await server('a');
    const b = await server('b');
    const client = createUndiciClient({ name: 'svc', discovery: [a.url, b.url], picker: roundRobin({ random: () => 0 }), timeout: { attempt: 100 }, health: false, pool: { connections: 1 } });
    defer(() => client.close());
    const slow = client.request('/slow', { timeout: { attempt: 5_000 } }).then((r) => r.body.text()); // A
    await (await client.request('/warm')).body.text(); // B
    const reasons: string[] = [];
    client.on('attempt', (e) => reasons.push(`${e.endpoint.port === a.port ? 'A' : 'B'} ${e.reason}`));
    const res = await client.request('/x'); // A (queued behind /slow), then B
    expect(await res.body.text()).toBe('b');
    expect(reasons).toEqual(['A attempt timeout', 'B status 200']);
    expect(await slow).toBe('slow');
    await sleep(50);
    await until(async () => { const r = await client.request('/y', { hedge: false }); return (await r.body.text()) === 'a'; }, 2_000);
    expect(a.connections()).toBe(1);
  });
});
