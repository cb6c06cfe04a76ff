// The look for the Consul token in the properties of a user's fetch error read every byte of a
// response body the error carried (a Buffer: got's `rawBody`, axios's `response.data`): the
// bound counted objects, not values. An 8 MiB body blocked the event loop for seconds on every
// failed refresh. It now reads at most 500 values, and no binary data.
import { describe, expect, it } from 'vitest';
import { consulDiscovery } from '../../src/consul/index.js';
import { stopFunction } from '../helpers/stop-function.js';

describe('consulDiscovery: scanning a fetch error for the token is bounded', () => {
  it('does not read every byte of a Buffer body kept on the error', async () => {
    let reads = 0;
    const body = new Proxy(new Uint8Array(64 * 1024), {
      get(target, key) {
        reads++;
        return Reflect.get(target, key);
      },
    });
    const fetch = async (): Promise<Response> => {
      throw Object.assign(new Error('Response code 502 (Bad Gateway)'), { name: 'HTTPError', response: { statusCode: 502, rawBody: body } });
    };
    const discovery = consulDiscovery({ service: 'web', url: 'http://127.0.0.1:1', token: 'b1a2c3d4-acl-token', fetch, backoff: { min: 10_000 } });
    const errors: unknown[] = [];
    const stop = stopFunction(discovery.watch(() => {}, (err) => errors.push(err), () => {}));
    const started = Date.now();
    while (errors.length === 0 && Date.now() - started < 5_000) await new Promise((r) => setTimeout(r, 5));
    await stop();
    expect(errors.length).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(1_000);
  });
});
