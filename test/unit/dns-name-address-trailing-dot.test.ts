// dnsDiscovery refused `name: '127.0.0.1'` (an address: a ConfigError) but accepted '127.0.0.1.',
// which then was queried as a name for ever, failing with DnsNoRecordsError. The address check
// now runs without the trailing dot.
import { expect, it } from 'vitest';
import { ConfigError, dnsDiscovery } from '../../src/index.js';

it('a name that is an IPv4 address with a trailing dot is refused with a ConfigError naming "name"', () => {
  expect(() => dnsDiscovery({ name: '127.0.0.1', port: 80 })).toThrow(ConfigError);
  let thrown: unknown;
  try {
    dnsDiscovery({ name: '127.0.0.1.', port: 80 });
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  expect(String((thrown as Error).message)).toMatch(/name must be a DNS name, not an address/);
});
