// What broke: a `client.fetch(request)` whose Request body was still arriving (an upload passed
// on as it comes) rejected at once on close(), the caller's abort or the total timeout, but the
// body went on being read into memory, for nobody, until its source ended. Its stream is now
// cancelled, so the source (the upload) stops too.
import { describe, expect, it } from 'vitest';
import { ClientClosedError, createClient, TimeoutError } from '../../src/index.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

/** A body that sends one chunk and then waits; `cancelled` once its reader gives up. */
function endlessUpload(): { body: ReadableStream<Uint8Array>; readonly cancelled: boolean } {
  const state = { cancelled: false, body: undefined as unknown as ReadableStream<Uint8Array> };
  state.body = new ReadableStream<Uint8Array>({
    start(controller) { controller.enqueue(new TextEncoder().encode('part one,')); },
    cancel() { state.cancelled = true; },
  });
  return state;
}

describe("client.fetch: a Request's body still arriving when the call ends", () => {
  for (const how of ['close()', 'abort', 'total timeout'] as const) {
    it(`${how}: the call rejects and the body's stream is cancelled`, async () => {
      const [up] = await servers(ok());
      const client = track(createClient({ name: 'svc', discovery: [up!.url] }));
      const upload = endlessUpload();
      const controller = new AbortController();
      const request = new Request(`${up!.url}/files`, { method: 'PUT', body: upload.body, duplex: 'half', signal: controller.signal } as RequestInit);
      const call = client.fetch(request, how === 'total timeout' ? { timeout: { attempt: 100, total: 100 } } : undefined);
      await new Promise((r) => setTimeout(r, 20));
      if (how === 'close()') void client.close();
      if (how === 'abort') controller.abort(new Error('user went away'));
      const error = await call.catch((e: unknown) => e);
      if (how === 'close()') expect(error).toBeInstanceOf(ClientClosedError);
      if (how === 'abort') expect(error).toEqual(new Error('user went away'));
      if (how === 'total timeout') expect(error).toBeInstanceOf(TimeoutError);
      await until(() => upload.cancelled, 2_000);
      expect(up!.requests).toHaveLength(0);
    });
  }
});
