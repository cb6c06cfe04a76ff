// A URL with credentials used as an object key (`discovery: { 'http://user:pw@10.0.0.1:80': … }`,
// or an unknown option key written so) was shown with its password in ConfigError's message,
// `value` and `path`: only values were cleaned, never keys. Keys are now cleaned as values are.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient } from '../../src/index.js';
import { thrownConfigError } from '../helpers/config-client.js';

const PASSWORD = 'S3cr3t-key-pw';

describe('a URL with credentials used as an object key', () => {
  it('discovery given as a map keyed by endpoint URL: neither message nor value shows the password', () => {
    const err = thrownConfigError(() => createClient({ name: 'users', discovery: { [`http://svc:${PASSWORD}@10.0.0.1:8080`]: { weight: 2 } } as never }));
    expect(err.message).not.toContain(PASSWORD);
    expect(inspect(err.value)).not.toContain(PASSWORD);
  });

  it('an unknown option key: neither message nor path shows the password', () => {
    const err = thrownConfigError(() => createClient({ name: 'users', discovery: ['10.0.0.1:8080'], [`http://svc:${PASSWORD}@10.0.0.2:8080`]: true } as never));
    expect(`${err.message} ${err.path}`).not.toContain(PASSWORD);
  });
});
