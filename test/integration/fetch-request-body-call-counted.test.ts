// What broke: a fetch of a Request that ended while its body was read never showed in stats().calls.
// stats().calls counts the calls a user made. A `fetch` of a `Request` with a body is made, and
// then rejected by bulwark (a total TimeoutError, or ClientClosedError on close()), while bulwark
// reads that body before its first attempt; it never appears in stats(): `calls.started` and
// `calls.failed` stay 0 and `calls.inflight` is 0 while the call is plainly in progress. A call
// waiting for a first endpoint set, which also ends before any attempt, is counted (started and
// failed), and README ("Live configuration") says "A fetch of a Request whose body is still being
// read counts as started".
import { afterEach, describe, expect, it } from 'vitest';
import { ClientClosedError, createClient, TimeoutError, type Client } from '../../src/index.js';
import { ok, startServer, type TestServer } from '../helpers/servers.js';

let server: TestServer | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

/** A PUT whose body sends one chunk and then never ends (a slow upload). */
function stalledUpload(): Request {
  const body = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new TextEncoder().encode('part')) });
  return new Request('http://users.internal/upload', { method: 'PUT', body, duplex: 'half' } as RequestInit);
}

describe('a fetch of a Request whose body is still being read', () => {
  it('shows in stats().calls while in progress and when it fails on the total deadline', async () => {
    server = await startServer(ok());
    client = createClient({ name: 'users', discovery: [server.url], timeout: { total: 150 } });
    const call = client.fetch(stalledUpload()).then(() => undefined, (e: unknown) => e);
    await new Promise((r) => setTimeout(r, 30));
    const during = client.stats().calls;
    const error = await call;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(during.inflight).toBe(1);
    expect(client.stats().calls).toMatchObject({ started: 1, failed: 1, inflight: 0 });
  });

  it('is counted as started and failed when close() ends it', async () => {
    server = await startServer(ok());
    client = createClient({ name: 'users', discovery: [server.url] });
    const call = client.fetch(stalledUpload()).then(() => undefined, (e: unknown) => e);
    await new Promise((r) => setTimeout(r, 30));
    await client.close();
    expect(await call).toBeInstanceOf(ClientClosedError);
    expect(client.stats().calls).toMatchObject({ started: 1, failed: 1, inflight: 0 });
  });
});
