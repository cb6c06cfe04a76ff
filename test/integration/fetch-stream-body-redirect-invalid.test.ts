// What broke: streaming an upload (a ReadableStream as init.body, as the README advises) to a healthy service that answers with a 301/302/307/308 redirect fails on fetch's side (it cannot send the stream again), yet bulwark counted each one against the endpoint — five uploads ejected a healthy endpoint — and rejected with an opaque RequestFailedError ("last: TypeError"). It is now an invalid request, as fetch's other refusals of a redirect: a TypeError saying so, nothing against the endpoint.
// README "What is retried": a redirect fetch refuses to follow "fails on every endpoint alike.
// The call rejects with that error as it is (a TypeError from fetch), as plain fetch would; the
// attempt ends 'cancelled' with reason `invalid request`" and is not counted against the
// endpoint. Plain fetch refuses to follow a 307/308 with a stream body just as it refuses
// `redirect: 'error'`. Real node:http servers on 127.0.0.1.
import { describe, expect, it } from 'vitest';
import { createClient, RequestFailedError } from '../../src/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import type { Handler } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

/** Takes the upload, then says it lives elsewhere (a canonical path), as a healthy server may; `/v2/uploads` answers 200. */
const movedWith = (status: number): Handler => (req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url === '/v2/uploads') res.end('stored');
    else res.writeHead(status, { location: '/v2/uploads' }).end();
  });
};

const upload = (): ReadableStream<Uint8Array> => new ReadableStream({
  start(c) { c.enqueue(new TextEncoder().encode('chunk of a large file')); c.close(); },
});

const streamed = (method: string): RequestInit => ({ method, body: upload(), duplex: 'half' } as RequestInit);

describe('client.fetch: a streamed upload answered with a redirect that fetch cannot follow', () => {
  it('a 307 is refused as plain fetch refuses it, and does not count against (or eject) the endpoint', async () => {
    const [server] = await servers(movedWith(307));
    // Plain fetch: a TypeError, because a streamed body cannot be sent again to the new location.
    const plain = await fetch(`${server!.url}/v1/uploads`, streamed('PUT')).then(() => undefined, (e: unknown) => e);
    expect(plain).toBeInstanceOf(TypeError);

    const client = track(createClient({ name: 'storage', discovery: [server!.url] }));
    const verdicts: string[] = [];
    client.on('attempt', (e) => verdicts.push(`${e.verdict}: ${e.reason}`));
    const errors: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      errors.push(await client.fetch('/v1/uploads', streamed('PUT')).then(() => undefined, (e: unknown) => e));
    }
    // The endpoint answered every request correctly: nothing of this is its failure.
    const endpoint = client.stats().endpoints[0]!;
    expect(endpoint.failures).toBe(0);
    expect(endpoint.health?.status).toBe('healthy');
    expect(verdicts).toEqual(Array(5).fill('cancelled: invalid request'));
    // As plain fetch: a TypeError (saying why, fetch's own as its cause), not a RequestFailedError saying "last: TypeError at <endpoint>".
    for (const err of errors) {
      expect(err).toBeInstanceOf(TypeError);
      expect(err).not.toBeInstanceOf(RequestFailedError);
      expect((err as Error).message).toMatch(/^storage: http:\/\/127\.0\.0\.1:\d+ answered 307 \(a redirect\), which fetch cannot follow with a stream body/);
      expect((err as Error).cause).toBeInstanceOf(TypeError);
    }
  });

  for (const [status, method] of [[308, 'PUT'], [302, 'POST'], [301, 'PUT']] as const) {
    it(`a ${status} to a ${method} with a stream body: the same invalid request, sent once`, async () => {
      const [server] = await servers(movedWith(status));
      const client = track(createClient({ name: 'storage', discovery: [server!.url] }));
      const verdicts: string[] = [];
      client.on('attempt', (e) => verdicts.push(`${e.verdict}: ${e.reason}`));
      const err = await client.fetch('/v1/uploads', streamed(method)).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).message).toContain(`answered ${status} (a redirect)`);
      expect(verdicts).toEqual(['cancelled: invalid request']);
      expect(server!.requests).toHaveLength(1);
    });
  }

  it('a 303 (followed with a GET and no body) is followed as plain fetch follows it', async () => {
    const [server] = await servers(movedWith(303));
    const client = track(createClient({ name: 'storage', discovery: [server!.url] }));
    const res = await client.fetch('/v1/uploads', streamed('POST'));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('stored');
  });
});
