// Registry options that fetch can never send (an Eureka `headers` key that is no header name, a
// Consul `token` or Eureka header value with a character above U+00FF) were accepted, and then
// every refresh failed with fetch's TypeError, forever, against a registry that was up. They are
// refused when the adapter is made, with a ConfigError naming the option and hiding the secret.
import { describe, expect, it } from 'vitest';
import { consulDiscovery } from '../../src/consul/index.js';
import { eurekaDiscovery } from '../../src/eureka/index.js';
import { thrownConfigError } from '../helpers/config-client.js';

describe('registry options fetch cannot send', () => {
  it('eurekaDiscovery: a header name fetch refuses is a ConfigError naming it', () => {
    for (const name of ['x api key', 'x-key:', 'ключ', '']) {
      const err = thrownConfigError(() => eurekaDiscovery({ app: 'web', url: 'http://127.0.0.1:1/eureka', headers: { [name]: 'k3y-value' } }));
      expect(err.path).toBe(`headers.${name}`);
      expect(err.message).not.toContain('k3y-value');
    }
  });

  it('eurekaDiscovery: a header value above U+00FF is a ConfigError, its value hidden', () => {
    const err = thrownConfigError(() => eurekaDiscovery({ app: 'web', url: 'http://127.0.0.1:1/eureka', headers: { authorization: 'Bearer s3cr€t-value' } }));
    expect(err.path).toBe('headers.authorization');
    expect(`${err.message} ${String(err.value)}`).not.toContain('s3cr');
  });

  it('consulDiscovery: a token above U+00FF is a ConfigError naming `token`, its value hidden', () => {
    const err = thrownConfigError(() => consulDiscovery({ service: 'web', url: 'http://127.0.0.1:1', token: 'tok€n-0001' }));
    expect(err.path).toBe('token');
    expect(`${err.message} ${String(err.value)}`).not.toContain('€n-0001');
  });

  it('takes what fetch can send: Latin-1 values and token names', () => {
    expect(() => consulDiscovery({ service: 'web', url: 'http://127.0.0.1:1', token: 'tökén-0001' })).not.toThrow();
    expect(() => eurekaDiscovery({ app: 'web', url: 'http://127.0.0.1:1/eureka', headers: { "x-api_key.v2!#$%&'*+^`|~": 'välue' } })).not.toThrow();
  });
});
