// What a user coming from p-retry, opossum or cockatiel hit: their libraries' option names
// (`retries`, `minTimeout`, `errorThresholdPercentage`, `resetTimeout`, `maxAttempts`) were
// refused with the list of bulwark's keys only, leaving them to guess the mapping (and that
// `retries: 2` is `attempts: 3`). The ConfigError now names where bulwark has each.
import { handleAll, retry as cockatielRetry } from 'cockatiel';
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

// What broke: coming from cockatiel, `retry: { maxAttempts: 3 }` was said to be `retry.attempts`,
// so the user set `attempts: 3` and lost a try: cockatiel's maxAttempts counts retries (3 means
// four calls), bulwark's attempts count calls.
describe("cockatiel's maxAttempts counts retries, bulwark's attempts count calls", () => {
  it('premise: cockatiel maxAttempts: 3 calls the function 4 times', async () => {
    let calls = 0;
    await cockatielRetry(handleAll, { maxAttempts: 3 }).execute(() => {
      calls++;
      throw new Error('down');
    }).catch(() => undefined);
    expect(calls).toBe(4);
  });

  it.each([
    [{ retry: { maxAttempts: 3 } }],
    [{ maxAttempts: 3 }],
  ])('createClient(%j) points at retry.attempts = maxAttempts + 1, not the same number', (extra) => {
    const message = refusal(extra);
    expect(message).toContain('retry.attempts');
    // as the p-retry pointer does: "bulwark counts attempts in all: `retry.attempts` (retries + 1)"
    expect(message).toMatch(/\+ ?1/);
  });

  it('per call: the execute refusal says the same', async () => {
    const client = createClient({ name: 'svc', discovery: ['127.0.0.1:1'] });
    try {
      const error = await client.execute(() => 1, { maxAttempts: 3 } as never).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/\+ ?1/);
    } finally {
      await client.close();
    }
  });
});
