// What broke: with a clock whose readings are negative, the retry and hedge budgets went NaN and refused nothing.
// README "Options": `clock` is a Clock whose now() is "milliseconds on a monotonic scale (any
// origin)" (src/call/clock.ts). The retry budget (and the hedge budget, the same class) must
// then cap retries the same way whatever the origin.
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { FakeClock, settle } from '../helpers/fake-clock.js';

async function failingBurst(origin: number): Promise<{ attempts: number; retries: number; budgetExhausted: number; budgetRemaining: number | null }> {
  const clock = new FakeClock();
  clock.t = origin;
  const client = createClient({
    name: 'origin', clock, discovery: ['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'], health: false,
    retry: { attempts: 3, backoff: { base: 0, cap: 0 } },
  });
  const calls: Promise<unknown>[] = [];
  // 10 waves of 100 calls, 300 ms apart: the window's buckets move on between them.
  for (let wave = 0; wave < 10; wave++) {
    for (let i = 0; i < 100; i++) calls.push(client.execute(() => { throw new Error('down'); }).catch(() => {}));
    await settle();
    await clock.advance(300);
  }
  await Promise.all(calls);
  const s = client.stats();
  await client.close();
  return { attempts: s.attempts, retries: s.retries, budgetExhausted: s.budgetExhausted, budgetRemaining: s.budgetRemaining };
}

describe('retry budget and the clock origin', () => {
  it('caps retries of a failing burst alike on a clock whose readings are negative', async () => {
    const positive = await failingBurst(1_000_000);
    // 1 000 calls over 3 s: at most 0.2 × 1 000 + 10 × 3 s = 230 retries.
    expect(positive.retries).toBeLessThanOrEqual(230);
    const negative = await failingBurst(-1_234_567);
    expect(negative.budgetRemaining).not.toBeNaN();
    expect(negative.retries).toBe(positive.retries);
    expect(negative.attempts).toBe(positive.attempts);
  });
});
