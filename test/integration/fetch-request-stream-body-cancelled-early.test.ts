// What broke (found by the fetch review): a `Request` input whose body is a stream, given to a
// call that fails before any attempt because the caller's signal is already aborted (or the
// client is closed), kept its body open: plain fetch cancels it (Fetch standard, "abort the
// fetch() call"), so its source (an upload being passed on, a file) stops. Only a stream
// `init.body` was cancelled there. README, "Quick start: fetch": "A call that ends while the body
// is still arriving (your abort, close(), the total timeout) cancels it, as fetch does."
// Then (found by the third diff review) the same with `{ body: null }`, which keeps the Request's
// body as fetch reads it: only `init.body === undefined` counted as keeping it.
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

/** A POST Request whose body stream never ends; `state.cancelled` says whether its source was cancelled. */
function uploadRequest(signal?: AbortSignal): { request: Request; state: { cancelled: boolean } } {
  const state = { cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull: () => new Promise<void>(() => {}), // the upload is still arriving
    cancel: () => { state.cancelled = true; },
  });
  const request = new Request('http://svc/upload', { method: 'POST', body, duplex: 'half', signal } as RequestInit);
  return { request, state };
}

describe('client.fetch(Request with a stream body) that ends before any attempt', () => {
  it('plain fetch cancels the body when the signal is already aborted, with or without init.body: null (the reference)', async () => {
    const [s] = await servers(ok());
    for (const init of [{}, { body: null }]) {
      const { request, state } = uploadRequest();
      const aborted = AbortSignal.abort(new Error('caller gave up'));
      await expect(fetch(new Request(`${s!.url}/upload`, request), { ...init, signal: aborted })).rejects.toThrow('caller gave up');
      await sleep(20);
      expect(state.cancelled).toBe(true);
    }
  });

  it('a stream init.body is cancelled by client.fetch in the same case (README: "as fetch does")', async () => {
    const [s] = await servers(ok());
    const client = track(createClient({ name: 'svc', discovery: [s!.url] }));
    const state = { cancelled: false };
    const body = new ReadableStream({ pull: () => new Promise<void>(() => {}), cancel: () => { state.cancelled = true; } });
    await expect(client.fetch('/upload', { method: 'POST', body, duplex: 'half', signal: AbortSignal.abort(new Error('caller gave up')) } as RequestInit)).rejects.toThrow('caller gave up');
    await sleep(20);
    expect(state.cancelled).toBe(true);
  });

  for (const [name, init] of [['no init.body', {}], ['init.body: null', { body: null }]] as const) {
    it(`init.signal already aborted (${name}): the Request body is cancelled`, async () => {
      const [s] = await servers(ok());
      const client = track(createClient({ name: 'svc', discovery: [s!.url] }));
      const { request, state } = uploadRequest();
      await expect(client.fetch(request, { ...init, signal: AbortSignal.abort(new Error('caller gave up')) })).rejects.toThrow('caller gave up');
      await sleep(20);
      expect(s!.requests).toHaveLength(0);
      expect(state.cancelled).toBe(true);
    });

    it(`client already closed (${name}): the Request body is cancelled (as a stream init.body is)`, async () => {
      const [s] = await servers(ok());
      const client = createClient({ name: 'svc', discovery: [s!.url] });
      await client.close();
      const { request, state } = uploadRequest();
      await expect(client.fetch(request, init)).rejects.toMatchObject({ code: 'ERR_BULWARK_CLIENT_CLOSED' });
      await sleep(20);
      expect(state.cancelled).toBe(true);
    });
  }

  it("the Request's own signal already aborted: its body is cancelled", async () => {
    const [s] = await servers(ok());
    const client = track(createClient({ name: 'svc', discovery: [s!.url] }));
    const { request, state } = uploadRequest(AbortSignal.abort(new Error('caller gave up')));
    await expect(client.fetch(request)).rejects.toThrow('caller gave up');
    await sleep(20);
    expect(state.cancelled).toBe(true);
  });
});
