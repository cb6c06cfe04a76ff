// What broke (found by the hostile-plugins review of the transports):
// - `headers` given as a one-shot iterable (a generator of [name, value] pairs, which undici's
//   types allow) was used up by the first attempt: a retry, through request() or the
//   interceptor, went without those headers. README: what can be sent again is sent again by a
//   retry; a different request is not what a retry sends.
// - request() threw synchronously when a getter of its options threw (`headers`, `signal`,
//   `body`, `classify`), instead of rejecting: every call settles (README, "Errors"), and
//   undici's own request() rejects there.
// A diff review of the first fix found that it read every iterable: a string `headers` (which
// undici refuses) was sent as no headers at all, the interceptor's `key` got a flat array where
// the caller passed a Headers or a Map, and a generator's entries that are not pairs were not
// refused as undici refuses them. A second review found that an endpoint with userinfo (whose
// authorization header is added per attempt) still let a string or a Set of non-pairs through,
// and that a one-shot iterable whose iterator is another object lost its headers on a retry.
// Now every iterable but an array, a Headers, a Map or a Set is read once, each entry checked,
// and the authorization is added only to headers undici would take.
import { Agent, errors as undiciErrors, request as undiciRequest } from 'undici';
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

describe('headers from a one-shot iterable whose iterator is another object', () => {
  it('request(): the retry carries them too', async () => {
    const list = await servers(status(503), status(503));
    const client = track(createUndiciClient({ name: 'svc', discovery: list.map((s) => s.url), retry: { attempts: 2, backoff: { base: 1, cap: 2 } } }));
    const shared = token();
    const res = await client.request('/x', { headers: { [Symbol.iterator]: () => shared } as never });
    await res.body.dump();
    expect(list.flatMap((s) => s.requests.map((r) => r.headers['x-token']))).toEqual(['abc', 'abc']);
  });
});

describe('an endpoint with userinfo: headers undici refuses are still refused', () => {
  for (const [label, headers] of [['a string', 'x-token: abc'], ['a Set of strings', new Set(['ab'])]] as const) {
    it(`request(): ${label}`, async () => {
      const list = await servers(status(200));
      const client = track(createUndiciClient({ name: 'svc', discovery: [list[0]!.url.replace('http://', 'http://user:secret@')] }));
      const error = await client.request('/x', { headers: headers as never }).then(async (res) => { await res.body.dump(); return undefined; }, (e: unknown) => e);
      expect(error).toBeInstanceOf(undiciErrors.InvalidArgumentError);
      expect(list[0]!.requests).toHaveLength(0);
    });
  }
});

describe('what is not a one-shot iterator is left to undici', () => {
  it('request(): a string is refused by undici, not sent as no headers', async () => {
    const list = await servers(status(200));
    const client = track(createUndiciClient({ name: 'svc', discovery: [list[0]!.url] }));
    const error = await client.request('/x', { headers: 'x-token: abc' as never }).then(async (res) => { await res.body.dump(); return undefined; }, (e: unknown) => e);
    expect(error).toBeInstanceOf(undiciErrors.InvalidArgumentError);
    expect(list[0]!.requests).toHaveLength(0);
  });

  it('request(): a generator of something other than pairs is refused as undici refuses it', async () => {
    const list = await servers(status(200));
    const client = track(createUndiciClient({ name: 'svc', discovery: [list[0]!.url] }));
    function* notPairs(): Generator<unknown> { yield 'ab'; }
    const error = await client.request('/x', { headers: notPairs() as never }).then(async (res) => { await res.body.dump(); return undefined; }, (e: unknown) => e);
    expect(error).toBeInstanceOf(undiciErrors.InvalidArgumentError);
    expect((error as Error).message).toBe('headers must be in key-value pair format');
    expect(list[0]!.requests).toHaveLength(0);
  });

  for (const [label, make] of [['a Headers', () => new Headers({ 'x-user': 'u1' })], ['a Map', () => new Map([['x-user', 'u1']])]] as const) {
    it(`the interceptor's key reads ${label} as the caller passed it`, async () => {
      const list = await servers(status(200));
      const client = track(createClient({ name: 'users', discovery: list.map((s) => s.url) }));
      const keys: unknown[] = [];
      const agent = new Agent().compose(bulwarkInterceptor({
        origins: { 'http://users.internal': client },
        key: (req) => { const h = req.headers as Headers | Map<string, string>; keys.push(h.get('x-user')); return 'k'; },
      }));
      defer(() => agent.close());
      const res = await undiciRequest('http://users.internal/x', { dispatcher: agent, headers: make() as never });
      await res.body.dump();
      expect(keys).toEqual(['u1']);
      expect(list[0]!.requests.map((r) => r.headers['x-user'])).toEqual(['u1']);
    });
  }
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
