// What broke (found by the hostile-plugins review of the transports):
// - `headers` given as a one-shot iterable (a generator of [name, value] pairs, which undici's
//   types allow) was used up by the first attempt: a retry, through request() or the
//   interceptor, went without those headers. README: what can be sent again is sent again by a
//   retry; a different request is not what a retry sends.
// - request() threw synchronously when a getter of its options threw (`headers`, `signal`,
//   `body`, `classify`), instead of rejecting: every call settles (README, "Errors"), and
//   undici's own request() rejects there.
import { Agent, request as undiciRequest } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { bulwarkInterceptor, createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { status } from '../helpers/servers.js';

const { track, servers, defer } = closeAfterEach();

function* token(): Generator<[string, string]> {
  yield ['x-token', 'abc'];
}

describe('headers from a generator are sent by every attempt', () => {
  it('request(): the retry carries them too', async () => {
    const list = await servers(status(503), status(503));
    const client = track(createUndiciClient({ name: 'svc', discovery: list.map((s) => s.url), retry: { attempts: 2, backoff: { base: 1, cap: 2 } } }));
    const res = await client.request('/x', { headers: token() as never });
    await res.body.dump();
    const sent = list.flatMap((s) => s.requests.map((r) => r.headers['x-token']));
    expect(sent).toEqual(['abc', 'abc']);
  });

  it('the interceptor: the retry carries them too', async () => {
    const list = await servers(status(503), status(503));
    const client = track(createClient({ name: 'users', discovery: list.map((s) => s.url), retry: { attempts: 2, backoff: { base: 1, cap: 2 } } }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://users.internal': client } }));
    defer(() => agent.close());
    const res = await undiciRequest('http://users.internal/x', { dispatcher: agent, headers: token() as never });
    await res.body.dump();
    const sent = list.flatMap((s) => s.requests.map((r) => r.headers['x-token']));
    expect(sent).toEqual(['abc', 'abc']);
  });
});

describe('request() with an options getter that throws', () => {
  for (const name of ['headers', 'signal', 'body', 'classify', 'timeout'] as const) {
    it(`${name}: the call rejects (nothing thrown synchronously, nothing sent)`, async () => {
      const list = await servers(status(200));
      const client = track(createUndiciClient({ name: 'svc', discovery: [list[0]!.url] }));
      const failed = new Error(`${name} getter`);
      const options = Object.defineProperty({}, name, { enumerable: true, get() { throw failed; } });
      let call: Promise<unknown> | undefined;
      expect(() => { call = client.request('/x', options); }).not.toThrow();
      await expect(call).rejects.toBe(failed);
      expect(list[0]!.requests).toHaveLength(0);
    });
  }
});
