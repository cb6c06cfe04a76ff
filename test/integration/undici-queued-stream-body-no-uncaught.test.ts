// What broke (found by the diff review, and partly older): an interceptor attempt with a stream
// body (undici.request with a Readable), cut short while it waited for a connection, left the
// queue, and with it undici's Request, the one listener of bulwark's body relay's 'error'. The
// caller's request handler then destroyed the caller's Readable with the call's error, the relay
// was destroyed with it, and its 'error' had no listener: an uncaughtException that ends the
// process. The caller's own signal did the same before the queued-abort change. The relay now
// listens to its own errors (the client still hears them whenever it listens).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { bulwarkInterceptor } from '../../src/undici/index.js';
import { closeAfterEach, sleep, withUncaught } from '../helpers/lifecycle.js';

const { defer } = closeAfterEach();

async function server(): Promise<{ url: string }> {
  const sockets = new Set<Socket>();
  const s = createServer((req: IncomingMessage, res: ServerResponse) => { req.resume(); if (req.url === '/slow') setTimeout(() => res.end('slow'), 700); else req.on('end', () => res.end('ok')); });
  s.on('connection', (c) => { sockets.add(c); c.on('close', () => sockets.delete(c)); });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  defer(async () => { for (const c of sockets) c.destroy(); await new Promise((r) => s.close(r)); });
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}` };
}

function upload(): Readable {
  const body = new Readable({ read() {} });
  body.push('abc'); // still being produced
  return body;
}

/**
 * A PUT of a stream body through the interceptor (an Agent of one connection, busy with a slow
 * request), with `attemptTimeout` and the caller's `signal`: what the caller got, and the
 * uncaught exceptions meanwhile.
 */
async function queuedPut(attemptTimeout: number, signal?: AbortSignal): Promise<{ result: string; errors: string[] }> {
  const a = await server();
  const client = createClient({ name: 'svc', discovery: [a.url], timeout: { attempt: attemptTimeout }, retry: false, hedge: false, health: false });
  defer(() => client.close());
  const agent = new Agent({ connections: 1 }).compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
  defer(() => agent.destroy().catch(() => {}));
  const slow = request(`${a.url}/slow`, { dispatcher: agent }).then((r) => r.body.text(), () => '');
  await sleep(50);
  const outcome = await withUncaught(() => request('http://svc.internal/up', { method: 'PUT', body: upload(), dispatcher: agent, ...(signal === undefined ? {} : { signal }) }).then(() => 'resolved', (e: Error) => `rejected: ${e.message}`));
  await slow;
  return outcome;
}

describe('interceptor: a stream-body attempt cut short while queued', () => {
  it('attempt timeout: the call rejects, nothing is thrown uncaught', async () => {
    const { result, errors } = await queuedPut(100);
    expect(result).toMatch(/^rejected: svc: attempt timed out/);
    expect(errors).toEqual([]); // (was: ['svc: attempt timed out after 100 ms (attempt 1 to …)'])
  });

  it('the caller\'s own abort: the call rejects, nothing is thrown uncaught', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('caller gave up')), 150);
    const { result, errors } = await queuedPut(5_000, ac.signal);
    expect(result).toBe('rejected: caller gave up');
    expect(errors).toEqual([]);
  });
});
