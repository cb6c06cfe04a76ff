// consulDiscovery accepted a `wait` up to Consul's 600 000 ms with Node's own fetch, which gives
// up waiting for an answer's headers after 300 s (undici's headersTimeout): with a wait above
// ≈ 282 s (plus Consul's jitter of up to wait/16) every long poll of a healthy Consul ended in
// `discoveryError: fetch failed (Headers Timeout Error)` and a backoff. Such a wait is now a
// ConfigError naming it, unless a `fetch` of the user's (without that limit) is given.
import { expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { consulDiscovery } from '../../src/consul/index.js';

it('refuses a wait Node\'s fetch cannot outlast, and names why', () => {
  let thrown: unknown;
  try {
    consulDiscovery({ service: 'users', wait: 300_000 });
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  expect(thrown).toMatchObject({ path: 'wait' });
  expect((thrown as Error).message).toMatch(/280000 ms with Node's own fetch/);
});

it('accepts 280 000 ms with Node\'s fetch, and Consul\'s 600 000 with a fetch of the user\'s', () => {
  expect(() => consulDiscovery({ service: 'users', wait: 280_000 })).not.toThrow();
  expect(() => consulDiscovery({ service: 'users', wait: 600_000, fetch: (input, init) => globalThis.fetch(input, init) })).not.toThrow();
});
