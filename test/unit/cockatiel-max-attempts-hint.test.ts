// What broke: coming from cockatiel, I wrote `retry: { maxAttempts: 3 }`; bulwark told me "that is `retry.attempts`", so I set `attempts: 3` and silently lost one try: cockatiel's maxAttempts: 3 means 3 retries (4 calls), bulwark's attempts: 3 means 3 calls.
//
// README ("Options", table "you wrote | in bulwark") and the ConfigError both map cockatiel's
// `maxAttempts` straight onto `retry.attempts`, while for p-retry's `retries` they say
// "(retries + 1)". cockatiel's `retry(handleAll, { maxAttempts: 3 })` retries three times
// ("retry three times" in its README; RetryPolicy loops while `retries < maxAttempts`), so the
// equivalent is `retry.attempts: maxAttempts + 1`. The pointer should say so, as it does for p-retry.
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
