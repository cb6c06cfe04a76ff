// The ACL token reached a `discoveryError` through the properties of the error a user's fetch
// threw (HTTP libraries keep the request's options on their errors: ky's `options`, axios's
// `config`): only an error's message, stack and cause were looked at. Such an error is now
// replaced by a copy without the secret. Nor were causes that are no Error (a plain object with
// the request's config, which some HTTP libraries reject with or set as `cause`): such a cause
// holding a secret is now left out.
import { describe, expect, it } from 'vitest';
import { consulDiscovery } from '../../src/consul/index.js';
import { reachableStrings } from '../helpers/reachable-strings.js';
import { stopFunction } from '../helpers/stop-function.js';

const TOKEN = 'b1a2c3d4-acl-token-5e6f7a8b9c0d';

async function firstError(fetch: (url: string, init: RequestInit) => Promise<Response>): Promise<unknown> {
  const discovery = consulDiscovery({ service: 'web', url: 'http://127.0.0.1:1', token: TOKEN, fetch, backoff: { min: 10_000 } });
  const errors: unknown[] = [];
  const stop = stopFunction(discovery.watch(() => {}, (err) => errors.push(err), () => {}));
  const started = Date.now();
  while (errors.length === 0 && Date.now() - started < 2_000) await new Promise((r) => setTimeout(r, 5));
  await stop();
  expect(errors.length).toBeGreaterThan(0);
  return errors[0];
}

describe('consulDiscovery token in errors', () => {
  it('hides the token held in a property of the error thrown by the user\'s fetch', async () => {
    // A fetch wrapper in the style of ky/axios: it rejects with an error carrying the request options.
    const err = await firstError(async (url, init) => {
      throw Object.assign(new Error('Request failed with status code 403 Forbidden'), { name: 'HTTPError', options: { url, ...init } });
    });
    expect(reachableStrings(err).filter((s) => s.includes(TOKEN))).toEqual([]);
  });
});

describe('consulDiscovery: the token in a non-Error part of the fetch error', () => {
  it('an Error whose cause is a plain object carrying the request', async () => {
    const err = await firstError(async (url, init) => {
      throw new Error('request failed', { cause: { code: 'ERR_BAD_RESPONSE', config: { url, headers: init.headers } } });
    });
    expect(reachableStrings(err).filter((s) => s.includes(TOKEN))).toEqual([]);
  });

  it('a plain object thrown by the fetch, carrying the request', async () => {
    const err = await firstError(async (url, init) => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { message: 'request failed', config: { url, headers: init.headers } };
    });
    expect(reachableStrings(err).filter((s) => s.includes(TOKEN))).toEqual([]);
  });
});
