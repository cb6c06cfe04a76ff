// What broke: peer option names per call were passed on to fetch and ignored, or refused without a pointer.
// Coming from p-retry, the first thing a user tries per call is its option: `{ retries: 0 }` for
// one call that must not be repeated. README ("Options"): "Coming from another library, its option
// names are refused with a pointer to ours" (p-retry `retries` → `retry.attempts`), and
// createClient does so. Per call:
// - `client.fetch(path, { retries: 0 })` is passed on to fetch, which ignores it: the call is
//   still sent 3 times to a 503ing fleet, and nothing tells the user;
// - `client.execute(fn, { retries: 0 })` is refused, but only with the list of per-call options,
//   without the pointer createClient gives for the same key.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createClient, type Client } from '../../src/index.js';
import { startServer, status, type TestServer } from '../helpers/servers.js';

let servers: TestServer[] = [];
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  for (const s of servers) await s.close();
  servers = [];
  client = undefined;
});

describe("p-retry's `retries` given to one call", () => {
  it('fetch: refused with ConfigError before anything is sent, not silently ignored', async () => {
    servers = [await startServer(status(503)), await startServer(status(503)), await startServer(status(503))];
    client = createClient({ name: 'users', discovery: servers.map((s) => s.url) });
    const result = await client.fetch('/x', { retries: 0 } as never).then((r) => r, (e: unknown) => e);
    const sent = servers.reduce((n, s) => n + s.requests.length, 0);
    expect({ configError: result instanceof ConfigError, sent }).toEqual({ configError: true, sent: 0 });
  });

  it('execute: the ConfigError points at retry.attempts, as createClient does for the same key', async () => {
    client = createClient({ name: 'users', discovery: ['127.0.0.1:8080'] });
    const error = await client.execute(() => 1, { retries: 0 } as never).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toBe('retries');
    expect((error as Error).message).toContain('retry.attempts');
    // There is no per-call retry option: the pointer says what a call can do instead.
    expect((error as Error).message).toContain('idempotent: false');
    expect((error as Error).message).toContain('retry: false');
  });

  it('fetch: the other peer names (maxRetries, minTimeout, resetTimeout) are refused per call too', async () => {
    client = createClient({ name: 'users', discovery: ['127.0.0.1:8080'] });
    for (const key of ['maxRetries', 'maxAttempts', 'minTimeout', 'resetTimeout']) {
      const error = await client.fetch('/x', { [key]: 1 } as never).then(() => undefined, (e: unknown) => e);
      expect(error, key).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).path).toBe(key);
    }
  });
});

// What broke: createClient's nested option names given to one fetch (`{ attempts: 1 }` to send a
// call once, `statusCodes`) were passed on to fetch and ignored: the call went out three times,
// while execute refused the same options. README ("Per-call options"): a client option is refused.
describe('a nested client option given to one fetch', () => {
  it('execute refuses `attempts` per call (the reference behaviour)', async () => {
    client = createClient({ name: 'users', discovery: ['127.0.0.1:8080'] });
    const error = await client.execute(() => 1, { attempts: 1 } as never).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
  });

  it.each([
    [{ attempts: 1 }],
    [{ statusCodes: [500] }],
  ])('fetch(path, %j) is refused before anything is sent, not passed to fetch and ignored', async (extra) => {
    servers = [await startServer(status(503)), await startServer(status(503)), await startServer(status(503))];
    client = createClient({ name: 'users', discovery: servers.map((s) => s.url) });
    const result = await client.fetch('/x', extra as never).then(async (r) => { await r.text(); return r; }, (e: unknown) => e);
    const sent = servers.reduce((n, s) => n + s.requests.length, 0);
    expect({ configError: result instanceof ConfigError, sent }).toEqual({ configError: true, sent: 0 });
  });
});
