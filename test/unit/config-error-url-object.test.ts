// A URL object given where an option expects a string (`consulDiscovery({ url: new URL(…) })`,
// `createClient({ discovery: new URL(…) })`) was echoed with its password: ConfigError's message
// rendered it through URL#toJSON without hiding the userinfo, and its `value` kept the URL
// itself. Both now show the address without credentials (README, "Errors": secrets removed).
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient } from '../../src/index.js';
import { consulDiscovery } from '../../src/consul/index.js';
import { thrownConfigError } from '../helpers/config-client.js';

const PASSWORD = 'S3cr3t-consul-pw';

describe('a URL object with credentials, given where a string is expected', () => {
  it('consulDiscovery url: the ConfigError message does not show the password', () => {
    const err = thrownConfigError(() => consulDiscovery({ service: 'users', url: new URL(`http://admin:${PASSWORD}@127.0.0.1:8500`) as unknown as string }));
    expect(err.message).not.toContain(PASSWORD);
  });

  it('createClient discovery: the ConfigError message does not show the password', () => {
    const err = thrownConfigError(() => createClient({ name: 'users', discovery: new URL(`http://admin:${PASSWORD}@10.0.0.1:8080`) as never }));
    expect(err.message).not.toContain(PASSWORD);
  });

  it('ConfigError.value does not hold the password (util.inspect of the error)', () => {
    const err = thrownConfigError(() => consulDiscovery({ service: 'users', url: new URL(`http://admin:${PASSWORD}@127.0.0.1:8500`) as unknown as string }));
    expect(inspect(err.value)).not.toContain(PASSWORD);
  });
});
