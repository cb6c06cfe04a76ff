// What broke (found by the diff review): the refusal of an `origins` key said "without
// credentials (user:password@ …)" whenever an `@` followed the scheme, also for a key with none,
// refused for its path (`http://svc.internal/@team`). It now says so only for a key whose URL
// has a user name or password.
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { bulwarkInterceptor } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';

const { track } = closeAfterEach();

function refusal(key: string): string {
  const client = track(createClient({ name: 'svc', discovery: ['http://127.0.0.1:9'] }));
  try {
    bulwarkInterceptor({ origins: { [key]: client } });
    return 'accepted';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('an origins key refused for its path, which holds an @', () => {
  it('is not said to hold credentials', () => {
    // Control: the same key without the @ is refused for what it is.
    expect(refusal('http://svc.internal/team')).not.toMatch(/credentials/);
    expect(refusal('http://svc.internal/@team')).not.toMatch(/credentials/);
  });
});
