// What broke (found by the undici review and two diff reviews): the interceptor refused an
// `origins` key holding `user:password@` showing the key without its userinfo, a valid-looking
// origin, and no reason; the first fix said "without credentials" for any `@` after the scheme,
// also in a path, and the second lost the hint for a password holding `/`, `#` or `?` (no URL
// parses it), while a key refused for a path with an `@` showed as another origin
// (`http://svc.internal/@team` as "http://team"). A key holding an `@` is now neither shown (in
// the path nor as the value) nor refused without saying so.
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient } from '../../src/index.js';
import { bulwarkInterceptor } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';

const { track } = closeAfterEach();

function refusal(key: string): ConfigError | string {
  const client = track(createClient({ name: 'svc', discovery: ['http://127.0.0.1:9'] }));
  try {
    bulwarkInterceptor({ origins: { [key]: client } });
    return 'accepted';
  } catch (e) {
    return e as ConfigError;
  }
}

describe("the interceptor's refusal of an origins key", () => {
  it.each([
    'http://alice:hunter2@svc.internal',
    'http://user:se/cret@svc.internal',
    'http://user:se#cret@svc.internal',
    'http://user:se?cret@svc.internal',
    'http://svc.internal/@team',
  ])('%s: says it holds an `@`, shows neither the key nor what follows the `@`', (key) => {
    const err = refusal(key);
    expect(err).toBeInstanceOf(ConfigError);
    const { message, path, value } = err as ConfigError;
    expect(message).toMatch(/it holds an `@`, as credentials \(user:password@\) do, so it is not shown/);
    expect(path).toBe('origins["(hidden)"]');
    expect(value).toBe('(hidden)');
    expect(message).not.toMatch(/hunter2|cret|svc\.internal|team/);
  });

  it('a key refused for its path, with no `@`, says nothing of credentials and is shown', () => {
    const err = refusal('http://svc.internal/team') as ConfigError;
    expect(err.message).not.toMatch(/credentials|`@`/);
    expect(err.path).toBe('origins["http://svc.internal/team"]');
  });
});
