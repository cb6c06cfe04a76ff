// What broke (found by the diff review): a Readable body its owner destroys with no error is
// turned into an Error saying so, and the relay destroyed with it; while the attempt waited in a
// pool's queue (every connection busy) nothing listened for the relay's 'error' yet: an
// uncaughtException. The relay now listens to its own errors.
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { bulwarkInterceptor, createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach, sleep, withUncaught } from '../helpers/lifecycle.js';

const { track, servers, defer } = closeAfterEach();

function cancelledUpload(error?: Error): Readable {
  const body = new Readable({ read() {} });
  body.push('abc');
  setTimeout(() => body.destroy(error), 50);
  return body;
}

const slowOk = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
  req.resume();
  if (req.url === '/slow') setTimeout(() => res.end('slow'), 400);
  else req.on('end', () => res.end('ok'));
};

describe('a stream body destroyed with no error while its attempt is queued', () => {
  /** A PUT of `body` through a request-transport client whose one connection is busy; what the caller and the attempt saw. */
  async function queuedBehindSlow(body: () => Readable): Promise<{ result: unknown; errors: string[]; seen: string[] }> {
    const [a] = await servers(slowOk);
    const client = track(createUndiciClient({ name: 'svc', discovery: [a!.url], pool: { connections: 1 }, health: false }));
    const seen: string[] = [];
    client.on('attempt', (e) => seen.push(`${e.verdict} ${e.reason}`));
    const slow = client.request('/slow').then((r) => r.body.text());
    await sleep(20);
    const { result, errors } = await withUncaught(() => client.request('/up', { method: 'PUT', body: body() }).then(() => 'resolved', (e: Error) => `rejected: ${e.message}`));
    await slow;
    return { result, errors, seen };
  }

  it('request transport (pool.connections: 1): the call rejects, nothing is thrown uncaught', async () => {
    const { result, errors, seen } = await queuedBehindSlow(() => cancelledUpload());
    expect(errors).toEqual([]);
    expect(result).toMatch(/^rejected/);
    expect(seen).toContain('cancelled body source failed');
  });

  it('request transport (pool.connections: 1): a body handed over already destroyed, nothing is thrown uncaught', async () => {
    const { result, errors, seen } = await queuedBehindSlow(() => {
      const body = new Readable({ read() {} });
      body.destroy();
      return body;
    });
    expect(errors).toEqual([]);
    expect(result).toMatch(/^rejected/);
    expect(seen).toContain('cancelled body source failed');
  });

  it('interceptor (Agent connections: 1): the call rejects, nothing is thrown uncaught', async () => {
    const [a] = await servers(slowOk);
    const client = track(createClient({ name: 'svc', discovery: [a!.url], health: false }));
    const agent = new Agent({ connections: 1 }).compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.destroy().catch(() => {}));
    const seen: string[] = [];
    client.on('attempt', (e) => seen.push(`${e.verdict} ${e.reason}`));
    const slow = request(`${a!.url}/slow`, { dispatcher: agent }).then((r) => r.body.text());
    await sleep(20);
    const { result, errors } = await withUncaught(() => request('http://svc.internal/up', { method: 'PUT', body: cancelledUpload(), dispatcher: agent }).then(() => 'resolved', (e: Error) => `rejected: ${e.message}`));
    await slow;
    expect(errors).toEqual([]);
    expect(result).toMatch(/^rejected/);
    expect(seen).toContain('cancelled body source failed');
  });
});
