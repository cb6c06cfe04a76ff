// What broke: I wrote `users.fetch('/charge', { attempts: 1 })` to send one call only once; bulwark handed `attempts` to fetch, which ignored it, and the request went out three times. The same options object given to execute() is refused with ConfigError.
//
// README ("Per-call options"): "A key that is not a per-call option rejects the call with
// ConfigError before anything is sent: ... for fetch ..., a client option (`retry`), another
// library's option name ... or a near miss of a per-call one". `attempts` (like `statusCodes`,
// `backoff`, `budget`) is a client option, `retry.attempts`; createClient already answers a
// top-level `attempts` with "did you mean `retry.attempts`?". Per call, fetch checks only the
// top-level client keys and the peers' names (src/config/call-options.ts checkFetchInit →
// isLikelyMistake with CALL_KEYS, whose `elsewhere` lacks the nested client keys:
// src/config/option-keys.ts, clientOnly/perCallPeers), so these pass through silently.
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
