// What broke: the hint for opossum's timeout said { total } where README maps it to { attempt }.
// README, "Options" ("Coming from another library, its option names are refused with a pointer
// to ours"): "opossum `timeout: 3000` → `timeout: { attempt: 3000 }` (and `total`, across
// retries)". The ConfigError that `timeout: 3000` produces points elsewhere:
// "timeout must be an object { attempt, total } of ms (e.g. { total: 3000 }), not a number".
// A user following the error sets the deadline of the whole call (30 s by default covering up to
// 3 attempts) where opossum's timeout, and the README, mean each attempt's.
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient } from '../../src/index.js';
import { thrownConfigError } from '../helpers/config-client.js';

describe("opossum's `timeout: 3000`", () => {
  it('is refused with the pointer the README gives: timeout: { attempt: 3000 }', () => {
    const err = thrownConfigError(() => createClient({ name: 'users', discovery: ['127.0.0.1:8080'], timeout: 3000 as never }));
    expect(err.path).toBe('timeout');
    expect(err.message).toContain('{ attempt: 3000 }');
    // Not a pointer at the whole call's deadline as the fix.
    expect(err.message).not.toContain('e.g. { total: 3000 }');
  });

  it('per call, the same pointer: execute(fn, { timeout: 3000 }) rejects naming timeout: { attempt: 3000 }', async () => {
    const client = createClient({ name: 'users', discovery: ['127.0.0.1:8080'] });
    const err = await client.execute(() => 1, { timeout: 3000 } as never).then(() => undefined, (e: unknown) => e);
    await client.close();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).path).toBe('timeout');
    expect((err as Error).message).toContain('{ attempt: 3000 }');
  });
});
