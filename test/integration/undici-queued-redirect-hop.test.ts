// What broke (found by the diff review): the queued-abort change took an attempt out of the
// Agent's queue only while it had no controller yet. With undici's redirect interceptor composed
// inside bulwark's, a later hop waits in another origin's queue while the first hop's controller
// is over: cut short then, it stayed queued, and once started was aborted on the keep-alive
// connection it was given. Both are told now, as undici's own request() does.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Agent, interceptors, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { bulwarkInterceptor } from '../../src/undici/index.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';

const { defer } = closeAfterEach();

async function server(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const s = createServer(handler);
  s.on('connection', (c) => { connections++; sockets.add(c); c.on('close', () => sockets.delete(c)); });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  defer(async () => { for (const c of sockets) c.destroy(); await new Promise((r) => s.close(r)); });
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, connections: () => connections };
}

describe('interceptor: a redirect hop cut short while it waits in the queue', () => {
  it('leaves the queue at once and does not cost the other origin its keep-alive connection', async () => {
    const c = await server((req, res) => { req.resume(); if (req.url === '/slow') setTimeout(() => res.end('slow'), 600); else res.end('c'); });
    const a = await server((req, res) => { req.resume(); res.writeHead(302, { location: `${c.url}/target` }).end(); });
    const client = createClient({ name: 'svc', discovery: [a.url], timeout: { attempt: 150 }, retry: false, hedge: false, health: false });
    defer(() => client.close());
    const agent = new Agent({ connections: 1 }).compose(interceptors.redirect({ maxRedirections: 3 }), bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.destroy().catch(() => {}));
    // C's only connection is busy with a request of its own (another origin: passed through).
    const slow = request(`${c.url}/slow`, { dispatcher: agent }).then((r) => r.body.text(), (e: Error) => e.message);
    await sleep(50);
    const outcome = await request('http://svc.internal/x', { dispatcher: agent }).then((r) => r.body.text(), (e: Error) => `rejected: ${e.message}`);
    expect(outcome).toMatch(/^rejected/); // the attempt timed out while its redirect hop waited for C
    const stats = (agent as unknown as { stats: Record<string, { pending: number }> }).stats;
    expect.soft(stats[c.url]?.pending).toBe(0); // the cut-short hop should be out of C's queue
    expect(await slow).toBe('slow');
    await sleep(50);
    await (await request(`${c.url}/again`, { dispatcher: agent })).body.text();
    expect(c.connections()).toBe(1); // C's keep-alive connection should carry the next request
  });
});
