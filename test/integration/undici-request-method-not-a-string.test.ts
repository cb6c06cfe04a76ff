// What broke: request() with a non-string method failed with a raw TypeError from inside bulwark.
// request(path, { method }) with a method that is not a string (null from a JS caller, a number)
// rejects with a raw TypeError from inside bulwark ("Cannot read properties of null (reading
// 'toUpperCase')", "method.toUpperCase is not a function"): isIdempotentMethod calls
// method.toUpperCase() before undici could refuse it. Expected: a typed refusal, a ConfigError
// naming `method`, or undici's own InvalidArgumentError ('method must be a string', code
// UND_ERR_INVALID_ARG) as README's table says for undici's refusals; nothing sent either way.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

function typedRefusal(err: unknown): boolean {
  return err instanceof ConfigError || (err as { code?: unknown } | null)?.code === 'UND_ERR_INVALID_ARG';
}

describe('request() with a method that is not a string', () => {
  for (const method of [null, 7, { toString: () => 'GET' }] as const) {
    it(`method ${String(method)} is refused with a typed error (ConfigError or undici's UND_ERR_INVALID_ARG), not a raw TypeError`, async () => {
      const [a] = await servers(ok());
      const client = track(createUndiciClient({ name: 'svc', discovery: [a!.url] }));
      const err = await client.request('/x', { method } as never).then(async (res) => { await res.body.dump(); return res; }, (e: unknown) => e);
      expect(typedRefusal(err), `got ${String(err)}`).toBe(true);
      expect(a!.requests).toHaveLength(0);
    });
  }
});
