// What broke (found by the undici review): a misleading message: an `origins` key with userinfo (`http://user:pw@svc.internal`) is refused
// (src/undici/interceptor.ts:156, with normalizeOrigin (:172) refusing a username/password), but the
// ConfigError shows the key with its userinfo removed, so it reads
//   origins["http://svc.internal"] must be an http or https origin (scheme://host[:port]), got "http://svc.internal"
// — a valid origin refused as invalid, with no word about the credentials that are the reason.
// The secret is rightly not shown; the message should say the origin must not carry userinfo.
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient } from '../../src/index.js';
import { bulwarkInterceptor } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';

const { track } = closeAfterEach();

describe('an origins key with userinfo', () => {
  it('is refused with a message that says why, without the secret', () => {
    const client = track(createClient({ name: 'svc', discovery: ['http://127.0.0.1:1'] }));
    let error: unknown;
    try {
      bulwarkInterceptor({ origins: { 'http://alice:hunter2@svc.internal': client } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('hunter2');
    expect(message).toMatch(/userinfo|credentials|user ?name|password/i); // (was: "... must be an http or https origin (scheme://host[:port]), got \"http://svc.internal\"")
  });
});
