// What broke (found by the undici review): a stream request body that its owner destroys without an error (`stream.destroy()`:
// an upload the caller cancels), or hands over already destroyed, is blamed on the endpoint.
// The relay (src/transports/release-body.ts:130-142, `gone(source.errored ?? undefined)`)
// remembers only an Error object as the source's; with none, undici's RequestAbortedError is
// judged a network failure: the attempt ends 'retry' with reason UND_ERR_ABORTED, counts in the
// endpoint's `failures` (and its breaker), and the call rejects with RequestFailedError naming
// the endpoint. docs/undici.md: a stream body's own source failing is "the caller's failure,
// not the endpoint's ... nothing counts against the endpoint (the attempt ends 'cancelled',
// reason `body source failed`)". The same source destroyed *with* an error is handled so.
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient, RequestFailedError, type Client } from '../../src/index.js';
import { bulwarkInterceptor, createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import type { Handler } from '../helpers/servers.js';

const { track, servers, defer } = closeAfterEach();

const readAll: Handler = (req, res) => { req.resume(); req.on('end', () => res.end('ok')); };

/** A body that sends a chunk, then is destroyed by its owner 50 ms later (with `error`, or with none). */
function cancelledUpload(error?: Error): Readable {
  const body = new Readable({ read() {} });
  body.push('abc');
  setTimeout(() => body.destroy(error), 50);
  return body;
}

function record(client: Client): string[] {
  const seen: string[] = [];
  client.on('attempt', (e) => seen.push(`${e.verdict} ${e.reason}`));
  return seen;
}

describe('a stream body its owner destroys while it is sent', () => {
  it('request(): with an error (control) it is the caller\'s failure', async () => {
    const [a] = await servers(readAll);
    const client = track(createUndiciClient({ name: 'svc', discovery: [a!.url] }));
    const seen = record(client);
    const err = await client.request('/up', { method: 'PUT', body: cancelledUpload(new Error('cancelled by its owner')) }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('cancelled by its owner');
    expect(seen).toEqual(['cancelled body source failed']);
    expect(client.stats().endpoints[0]!.failures).toBe(0);
  });

  it('request(): without an error it is the caller\'s failure too, not the endpoint\'s', async () => {
    const [a] = await servers(readAll);
    const client = track(createUndiciClient({ name: 'svc', discovery: [a!.url] }));
    const seen = record(client);
    const err = await client.request('/up', { method: 'PUT', body: cancelledUpload() }).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(RequestFailedError); // (was: RequestFailedError '... (last: UND_ERR_ABORTED at http://127.0.0.1:…)')
    expect(seen).toEqual(['cancelled body source failed']); // (was: ['retry UND_ERR_ABORTED'])
    expect(client.stats().endpoints[0]!.failures).toBe(0); // (was: 1)
  });

  it('request(): a body handed over already destroyed is not the endpoint\'s failure', async () => {
    const [a] = await servers(readAll);
    const client = track(createUndiciClient({ name: 'svc', discovery: [a!.url] }));
    const seen = record(client);
    const body = new Readable({ read() {} });
    body.destroy();
    await client.request('/up', { method: 'PUT', body }).catch(() => undefined);
    expect(seen).toEqual(['cancelled body source failed']); // (was: ['retry UND_ERR_ABORTED'])
    expect(client.stats().endpoints[0]!.failures).toBe(0); // (was: 1)
  });

  it('interceptor + undici.request: without an error, nothing counts against the endpoint', async () => {
    const [a] = await servers(readAll);
    const client = track(createClient({ name: 'svc', discovery: [a!.url] }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.close());
    const seen = record(client);
    await request('http://svc.internal/up', { method: 'PUT', body: cancelledUpload(), dispatcher: agent }).catch(() => undefined);
    expect(seen).toEqual(['cancelled body source failed']); // (was: ['retry UND_ERR_ABORTED'])
    expect(client.stats().endpoints[0]!.failures).toBe(0); // (was: 1)
  });
});
