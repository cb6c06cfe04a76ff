// What a user coming from p-retry, opossum or cockatiel hit: their libraries' option names
// (`retries`, `minTimeout`, `errorThresholdPercentage`, `resetTimeout`, `maxAttempts`) were
// refused with the list of bulwark's keys only, leaving them to guess the mapping (and that
// `retries: 2` is `attempts: 3`). The ConfigError now names where bulwark has each.
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient } from '../../src/index.js';

function refusal(extra: Record<string, unknown>): string {
  try {
    void createClient({ name: 'svc', discovery: ['127.0.0.1:1'], ...extra }).close();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe("peers' option names say where bulwark has them", () => {
  it.each([
    [{ retries: 2 }, '`retry.attempts` (retries + 1)'],
    [{ retry: { retries: 2 } }, '`retry.attempts` (retries + 1)'],
    [{ retry: { maxRetries: 2 } }, '`retry.attempts` (retries + 1)'],
    [{ retry: { maxAttempts: 3 } }, '`retry.attempts` (maxAttempts + 1)'],
    [{ retry: { minTimeout: 100 } }, '`retry.backoff: { base, cap }`'],
    [{ errorThresholdPercentage: 50 }, '`circuitBreaker.breaker`'],
    [{ circuitBreaker: { volumeThreshold: 10 } }, '`circuitBreaker.breaker`'],
    [{ circuitBreaker: { resetTimeout: 30_000 } }, '`circuitBreaker.halfOpenAfter`'],
    [{ hedging: { delay: 10 } }, 'did you mean `hedge`?'],
    [{ endpoints: ['127.0.0.1:1'] }, 'go in `discovery`'],
  ])('%j', (extra, hint) => {
    expect(refusal(extra)).toContain(hint);
  });

  it('still lists the known keys for a name no peer uses', () => {
    expect(refusal({ retry: { frobnicate: 1 } })).toContain('known: attempts, budget, backoff, statusCodes');
  });
});

describe("grpc-js's per-call deadline", () => {
  // What broke: a grpc-js user's `{ deadline }` for one call was refused with only the list of per-call keys, no pointer to `timeout`.
  it('is refused per call with a pointer to timeout.total', async () => {
    const client = createClient({ name: 'svc', discovery: ['127.0.0.1:1'] });
    try {
      const error = await client.execute(() => 1, { deadline: Date.now() + 1000 } as never).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('`timeout: { total }`');
    } finally {
      await client.close();
    }
  });
});
