// What broke: a ReadableStream init.body was never cancelled when the call failed before any attempt sent it.
// client.fetch with a ReadableStream `init.body` (one attempt) whose call ends before any attempt
// handed the body to fetch: the total deadline while waiting for a first endpoint set, the
// caller's abort, close(). fetch cancels a request's body stream whenever the request fails, and
// bulwark cancels a Request input's body in these same cases (README: "cancels it, as fetch
// does"); a stream given as init.body was left open and unread for ever. request() of
// bulwark/undici with a ReadableStream body is covered here too.
import { describe, expect, it } from 'vitest';
import { ClientClosedError, createClient, TimeoutError } from '../../src/index.js';
import { createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

/** A discovery that never delivers a set. */
const silent = { watch: () => () => {} };

/** An upload that never ends, recording the reason it was cancelled with. */
function upload(): { body: ReadableStream<Uint8Array>; cancelled(): unknown } {
  let reason: unknown;
  const body = new ReadableStream<Uint8Array>({
    start(controller) { controller.enqueue(new TextEncoder().encode('part one,')); },
    cancel(r) { reason = r ?? 'cancelled'; },
  });
  return { body, cancelled: () => reason };
}

describe('client.fetch ReadableStream init.body, call ended before any attempt', () => {
  it('total timeout while waiting for endpoints: the body stream is cancelled with the TimeoutError', async () => {
    const client = track(createClient({ name: 'svc', discovery: silent, timeout: { total: 100 } }));
    const up = upload();
    const err = await client.fetch('/files', { method: 'PUT', body: up.body, duplex: 'half' } as RequestInit).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    await until(() => up.cancelled() !== undefined, 1_000);
    expect(up.cancelled()).toBe(err);
  });

  it("caller's abort while waiting for endpoints: the body stream is cancelled", async () => {
    const client = track(createClient({ name: 'svc', discovery: silent }));
    const up = upload();
    const controller = new AbortController();
    const call = client.fetch('/files', { method: 'PUT', body: up.body, duplex: 'half', signal: controller.signal } as RequestInit).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    controller.abort(new Error('user went away'));
    expect(await call).toEqual(new Error('user went away'));
    await until(() => up.cancelled() !== undefined, 1_000);
  });

  it('close() while waiting for endpoints: the body stream is cancelled', async () => {
    const client = createClient({ name: 'svc', discovery: silent });
    const up = upload();
    const call = client.fetch('/files', { method: 'PUT', body: up.body, duplex: 'half' } as RequestInit).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    await client.close();
    expect(await call).toBeInstanceOf(ClientClosedError);
    await until(() => up.cancelled() !== undefined, 1_000);
  });

  it('a body that was sent is fetch\'s: a successful call leaves it to fetch (read to the end, not cancelled)', async () => {
    const [a] = await servers(ok());
    const client = track(createClient({ name: 'svc', discovery: [a!.url] }));
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) { controller.enqueue(new TextEncoder().encode('all of it')); controller.close(); },
      cancel() { cancelled = true; },
    });
    const res = await client.fetch('/files', { method: 'PUT', body, duplex: 'half' } as RequestInit);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    expect(cancelled).toBe(false);
  });
});

describe('bulwark/undici request() ReadableStream body, call ended before any attempt', () => {
  it('total timeout while waiting for endpoints: the body stream is cancelled', async () => {
    const client = track(createUndiciClient({ name: 'svc', discovery: silent, timeout: { total: 100 } }));
    const up = upload();
    const err = await client.request('/files', { method: 'PUT', body: up.body as never }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    await until(() => up.cancelled() !== undefined, 1_000);
  });
});
