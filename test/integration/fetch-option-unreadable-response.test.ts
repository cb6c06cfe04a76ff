// What broke (README, "Errors": a `fetch` function "whose answer is not a `Response` … fails the
// call with `PluginError` (`plugin: 'fetch'`)"; found by the hostile-plugins review). A Response
// the judge could not read was blamed on the network and the endpoints:
// - a Proxy of a Response (instanceof passes, its getters need the real one) rejected with a raw
//   `TypeError: Cannot read private member`;
// - one whose `headers` getter threw ended in `RequestFailedError … after 0 attempts`, though an
//   attempt was made;
// - `Response.error()` (status 0, a network error) was judged a success and returned.
// Now each fails the call with a PluginError naming the `fetch` option; nothing counts against
// the endpoint, and the attempt event says `fetch option failed`.
import { describe, expect, it } from 'vitest';
import { createClient, PluginError, type AttemptEvent } from '../../src/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

/** `response` with its `name` getter replaced by one that throws (after construction: Response's constructor reads `status`). */
function throwing(response: Response, name: 'status' | 'headers'): Response {
  Object.defineProperty(response, name, { get() { throw new Error(`${name} getter`); } });
  return response;
}

const answers: [string, () => Response, RegExp][] = [
  // A plain Proxy of a Response is unreadable on Node 24 and later (undici's Response keeps its
  // state in private fields) but readable on Node 22: one whose `status` cannot be read on any.
  ['a Proxy of a Response whose status cannot be read', () => new Proxy(new Response('ok'), {
    get(target, key) {
      if (key === 'status') throw new TypeError('Cannot read private member #state from an object whose class did not declare it');
      return Reflect.get(target, key) as unknown;
    },
  }), /cannot be read/],
  ['a Response whose status getter throws', () => throwing(new Response('x'), 'status'), /cannot be read/],
  ['a 503 Response whose headers getter throws', () => throwing(new Response('x', { status: 503 }), 'headers'), /cannot be read/],
  ['Response.error() (a network error, status 0)', () => Response.error(), /network-error Response/],
  // A diff review of the first fix: reading only the `headers` getter let these through as a raw TypeError.
  ['a 503 Response whose headers are a Proxy of a Headers', () => {
    const res = new Response('x', { status: 503 });
    const headers = new Proxy(res.headers, {});
    Object.defineProperty(res, 'headers', { get: () => headers });
    return res;
  }, /cannot be read/],
  ['a Response whose headers are null', () => {
    const res = new Response('x');
    Object.defineProperty(res, 'headers', { get: () => null });
    return res;
  }, /cannot be read/],
];

describe('client.fetch with a fetch function whose Response cannot be judged', () => {
  for (const [label, answer, message] of answers) {
    it(`${label}: PluginError (plugin fetch), one attempt, nothing against the endpoint`, async () => {
      const [up] = await servers(ok());
      let sent = 0;
      const client = track(createClient({ name: 'users', discovery: [up!.url, up!.url.replace('127.0.0.1', 'localhost')], fetch: (async () => { sent++; return answer(); }) as typeof fetch }));
      const events: AttemptEvent[] = [];
      client.on('attempt', (e) => events.push(e));
      const error = await client.fetch('/v1/users/42').then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(PluginError);
      expect((error as PluginError).plugin).toBe('fetch');
      expect((error as Error).message).toMatch(message);
      expect(sent).toBe(1);
      expect(events.map((e) => `${e.verdict}: ${e.reason}`)).toEqual(['cancelled: fetch option failed']);
      const stats = client.stats();
      expect(stats.calls).toMatchObject({ succeeded: 0, failed: 1, inflight: 0 });
      expect(stats.endpoints.reduce((n, e) => n + e.failures, 0)).toBe(0);
    });
  }
});
