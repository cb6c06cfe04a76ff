// What broke: request(path, "POST") was accepted and sent a GET.
// request(path, options): options that are not an object are not refused. A string (a caller who
// wrote `request(path, 'POST')`) is spread into undici's options as keys '0', '1', …, and a GET
// is sent in place of the POST. undici's own request() refuses such options
// (InvalidArgumentError 'invalid opts'), and README ("Per-call options") promises that invalid
// per-call options reject the call with ConfigError before anything is sent.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

describe('request() with options that are not an object', () => {
  for (const options of ['POST', 42, true] as const) {
    it(`request('/x', ${JSON.stringify(options)}) is refused with ConfigError and sends nothing (not a GET)`, async () => {
      const [a] = await servers(ok());
      const client = track(createUndiciClient({ name: 'svc', discovery: [a!.url] }));
      const result = await client.request('/x', options as never).then(
        async (res) => { await res.body.dump(); return `resolved with ${res.statusCode}`; },
        (err: unknown) => err,
      );
      expect(result).toBeInstanceOf(ConfigError);
      expect(a!.requests.map((r) => r.method)).toEqual([]);
    });
  }
});

describe('request() with a Promise of options (a forgotten await)', () => {
  it('is refused with a ConfigError saying so, and sends nothing', async () => {
    const [a] = await servers(ok());
    const client = track(createUndiciClient({ name: 'svc', discovery: [a!.url] }));
    const err = await client.request('/x', Promise.resolve({ method: 'POST' }) as never).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain('forgotten await');
    expect(a!.requests).toEqual([]);
  });
});
