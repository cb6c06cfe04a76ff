// What broke: `client.fetch` of a Request with a body read the whole body before the call went
// through the pipeline, so a call the pipeline would refuse at once — circuit open, discovery
// failed before any endpoint set — waited for the upload (or, for a body that never ends, the
// whole total timeout) and then failed with a TimeoutError. README: an open circuit fails calls
// "at once"; a failed discovery makes calls "fail at once with NoEndpointsError". Such a call now
// fails at once, without reading the body.
import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitOpenError, createClient, NoEndpointsError, type Client, type Discovery } from '../../src/index.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

/** A PUT whose body never ends, and whether anything read it. */
function endlessUpload(): { request: Request; pulled: () => boolean } {
  let pulled = false;
  const body = new ReadableStream<Uint8Array>({ pull() { pulled = true; return new Promise(() => {}); } }, { highWaterMark: 0 });
  const request = new Request('http://svc.invalid/upload', { method: 'PUT', body, duplex: 'half' } as RequestInit);
  return { request, pulled: () => pulled };
}

async function outcomeWithin(call: Promise<unknown>, ms: number): Promise<unknown> {
  const late = Symbol('still pending');
  const result = await Promise.race([call.then(() => 'resolved', (e: unknown) => e), new Promise((r) => setTimeout(() => r(late), ms))]);
  return result === late ? 'still pending' : result;
}

describe('fetch of a Request with a body that the pipeline refuses at once', () => {
  it('fails with CircuitOpenError at once while the circuit is open, reading nothing', async () => {
    const fetchDouble = (async () => new Response('down', { status: 500 })) as typeof fetch;
    const client = createClient({ name: 'svc', discovery: ['127.0.0.1:1'], fetch: fetchDouble, retry: false, timeout: { total: 5_000 }, circuitBreaker: { breaker: () => new ConsecutiveBreaker(1), halfOpenAfter: 60_000 } });
    clients.push(client);
    await client.fetch('/x');
    expect(client.stats().circuit?.state).toBe('open');
    const upload = endlessUpload();
    const outcome = await outcomeWithin(client.fetch(upload.request), 500);
    expect(outcome).toBeInstanceOf(CircuitOpenError);
    expect(upload.pulled()).toBe(false);
    expect(client.stats().calls.started).toBe(2);
  });

  it('fails with NoEndpointsError at once after discovery failed before any set', async () => {
    const boom = new Error('registry unreachable');
    const discovery: Discovery = { watch: (_update, error) => { error(boom); return () => {}; } };
    const client = createClient({ name: 'svc', discovery, timeout: { total: 5_000 } });
    clients.push(client);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const upload = endlessUpload();
    const outcome = await outcomeWithin(client.fetch(upload.request), 500);
    expect(outcome).toBeInstanceOf(NoEndpointsError);
    expect((outcome as NoEndpointsError).cause).toBe(boom);
    expect(upload.pulled()).toBe(false);
  });
});
