// A URL object with credentials three levels down in a rejected option (`discovery: { endpoints:
// [{ url: new URL('http://admin:pw@h') }] }`) kept its password in ConfigError's `value`: the
// depth limit of the copy came before the URL check. A URL is now cleaned at any depth.
import { expect, it } from 'vitest';
import { ConfigError, createClient } from '../../src/index.js';

const PASSWORD = 'S3cr3t-deep-url-pw';

it('ConfigError.value holds no password of a URL object nested three levels down', () => {
  let err: unknown;
  try {
    createClient({ name: 'svc', discovery: { endpoints: [{ url: new URL(`http://admin:${PASSWORD}@users.internal:8080`) }] } as never });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).message).not.toContain(PASSWORD);
  // The same value with the URL as a string is cleaned at this depth; a URL object must be too.
  expect(JSON.stringify((err as ConfigError).value)).not.toContain(PASSWORD);
});
