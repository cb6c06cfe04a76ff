// What broke: a stream body was left open when request() failed before any attempt was sent.
// request() with a stream body (one attempt, docs/undici.md) whose call ends before any attempt
// was sent: the total deadline while waiting for a first endpoint set, the caller's abort, or
// close(). The call rejects, but the caller's stream is left open and unread for ever (a file
// stream keeps its descriptor, an upload being proxied keeps its socket). undici's own request()
// destroys a stream body whenever the request fails (api-request.js: on a refusal and in
// onResponseError), and README says a fetch whose body is still arriving when the call ends
// "cancels it, as fetch does"; the body of a request() that will never be sent should be destroyed.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ClientClosedError, TimeoutError } from '../../src/index.js';
import { createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';

const { track } = closeAfterEach();

/** A discovery that never delivers a set. */
const silent = { watch: () => () => {} };

function upload(): Readable {
  const body = new Readable({ read() {} });
  body.push('part one,');
  return body;
}

describe('request() stream body, call ended before any attempt', () => {
  it('total timeout while waiting for endpoints: the body stream is destroyed', async () => {
    const client = track(createUndiciClient({ name: 'svc', discovery: silent, timeout: { total: 100 } }));
    const body = upload();
    const err = await client.request('/files', { method: 'PUT', body }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    await until(() => body.destroyed, 1_000);
  });

  it("caller's abort while waiting for endpoints: the body stream is destroyed", async () => {
    const client = track(createUndiciClient({ name: 'svc', discovery: silent }));
    const body = upload();
    const controller = new AbortController();
    const call = client.request('/files', { method: 'PUT', body, signal: controller.signal }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    controller.abort(new Error('user went away'));
    expect(await call).toEqual(new Error('user went away'));
    await until(() => body.destroyed, 1_000);
  });

  it('close() while waiting for endpoints: the body stream is destroyed', async () => {
    const client = createUndiciClient({ name: 'svc', discovery: silent });
    const body = upload();
    const call = client.request('/files', { method: 'PUT', body }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    await client.close();
    expect(await call).toBeInstanceOf(ClientClosedError);
    await until(() => body.destroyed, 1_000);
  });
});
