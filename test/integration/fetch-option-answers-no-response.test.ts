// What broke: a `fetch` option whose function resolved with no Response (a wrapper that forgot its `return`, a bare `vi.fn()`, a plain object) left client.fetch hanging past its deadline with an unhandled rejection and the call and endpoint "in flight" in stats() for ever, or failed it with "Cannot read properties of undefined", or with a PluginError blaming a `classify` never given; it is now a PluginError naming the `fetch` option (plugin 'fetch', "a forgotten return?"), the call settles and nothing stays in flight.
// README: the `fetch` option is "a function with fetch's signature (e.g. undici's, or a test
// double)"; every call settles (rejects at the latest at its total deadline), and a plugin's
// misbehaviour fails the call clearly (Errors: PluginError). Real node:http server on 127.0.0.1.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient, PluginError, type AttemptEvent } from '../../src/index.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown): void => { unhandled.push(e); };
beforeEach(() => { unhandled.length = 0; process.on('unhandledRejection', onUnhandled); });
afterEach(() => { process.off('unhandledRejection', onUnhandled); });

/** How the call ended within `ms`: 'resolved', 'rejected' with its error, or 'pending'. */
async function settledWithin(p: Promise<unknown>, ms: number): Promise<{ state: string; error?: unknown }> {
  return Promise.race([
    p.then(() => ({ state: 'resolved' }), (error: unknown) => ({ state: 'rejected', error })),
    sleep(ms).then(() => ({ state: 'pending' })),
  ]);
}

describe('client.fetch with a fetch function that resolves with something that is not a Response', () => {
  it('an async wrapper that forgot its return: the call still settles by its deadline, nothing left in flight, no unhandled rejection', async () => {
    const [up] = await servers(ok());
    // The classic slip: `async (url, init) => { await fetch(url, init); }` resolves with undefined.
    const forgotReturn = (async (url: string, init: RequestInit) => { await fetch(url, init); }) as unknown as typeof fetch;
    const client = track(createClient({ name: 'users', discovery: [up!.url], timeout: { total: 1_000 }, fetch: forgotReturn }));
    const events: AttemptEvent[] = [];
    client.on('attempt', (e) => events.push(e));
    const outcome = await settledWithin(client.fetch('/v1/users/42'), 3_000);
    await sleep(20);
    expect(outcome.state).toBe('rejected');
    expect(outcome.error).toBeInstanceOf(PluginError);
    expect((outcome.error as PluginError).plugin).toBe('fetch');
    expect((outcome.error as Error).message).toBe('users: fetch resolved with undefined, not a Response (a forgotten return?)');
    expect(unhandled).toEqual([]);
    const stats = client.stats();
    expect(stats.calls.inflight).toBe(0);
    expect(stats.endpoints[0]!.inflight).toBe(0);
    // A bug of the caller's, not the endpoint's: one attempt, nothing more sent, no failure against the endpoint's health.
    expect(events.map((e) => `${e.verdict}: ${e.reason}`)).toEqual(['cancelled: fetch option failed']);
    expect(stats.endpoints[0]!.health?.status).toBe('healthy');
  });

  it('a bare test double (vi.fn(), returning undefined at once): the call fails clearly and nothing stays in flight', async () => {
    const [up] = await servers(ok());
    const double = vi.fn() as unknown as typeof fetch;
    const client = track(createClient({ name: 'users', discovery: [up!.url], fetch: double }));
    const err = await client.fetch('/v1/users/42').then(() => undefined, (e: unknown) => e);
    // Was: a bare "TypeError: Cannot read properties of undefined (reading 'body')" from inside bulwark.
    expect(err).toBeInstanceOf(PluginError);
    expect(String((err as Error).message)).toMatch(/fetch resolved with undefined.*a forgotten return\?/);
    expect(double).toHaveBeenCalledTimes(1);
    await sleep(20);
    expect(unhandled).toEqual([]);
    const stats = client.stats();
    expect(stats.calls.inflight).toBe(0);
    expect(stats.endpoints[0]!.inflight).toBe(0);
  });

  it('a test double answering a plain object: the error names the fetch option, not a classify that was never given', async () => {
    const [up] = await servers(ok());
    const double = (async () => ({ status: 200 })) as unknown as typeof fetch;
    const client = track(createClient({ name: 'users', discovery: [up!.url], fetch: double }));
    const err = await client.fetch('/v1/users/42').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(PluginError);
    // Was: PluginError "users: classify threw" (plugin 'classify'), though no classify was passed.
    expect((err as PluginError).plugin).toBe('fetch');
    expect(String((err as Error).message)).toMatch(/^users: fetch resolved with an object .*not a Response/);
  });

  it('another fetch\'s Response (an object with a numeric status, headers, text() and json()) is still taken as one', async () => {
    const [up] = await servers(ok());
    const foreign = (async () => ({ status: 200, statusText: 'OK', headers: new Headers({ 'x-from': 'double' }), body: null, text: async () => '', json: async () => null })) as unknown as typeof fetch;
    const client = track(createClient({ name: 'users', discovery: [up!.url], fetch: foreign }));
    const res = await client.fetch('/v1/users/42');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-from')).toBe('double');
  });

  // README: a plain object is no Response; one with a status and headers alone was taken as one,
  // and client.fetch resolved with it (found by a diff review: `res.json()` then was no function).
  it('a plain { status, headers } is no Response: PluginError', async () => {
    const [up] = await servers(ok());
    const plain = (async () => ({ status: 200, headers: new Headers() })) as unknown as typeof fetch;
    const client = track(createClient({ name: 'users', discovery: [up!.url], fetch: plain }));
    const err = await client.fetch('/v1/users/42').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(PluginError);
    expect((err as Error).message).toMatch(/without a numeric status, headers and text\(\) and json\(\)/);
  });
});
