import { describe, expect, it } from 'vitest';
import { RetryBudget } from '../../src/pipeline/budget.js';

describe('RetryBudget', () => {
  it('allows ratio × calls + minPerSecond × seconds covered', () => {
    const budget = new RetryBudget(0.2, 10, 10_000, 0);
    for (let i = 0; i < 100; i++) budget.recordCall(500);
    // One second covered (the floor's minimum): 0.2 × 100 + 10 = 30 retries.
    let granted = 0;
    while (budget.tryRetry(500)) granted++;
    expect(granted).toBe(30);
  });

  it('grows the floor with the time the window covers, up to the window', () => {
    const budget = new RetryBudget(0, 10, 10_000, 0);
    let granted = 0;
    while (budget.tryRetry(5_000)) granted++;
    expect(granted).toBe(50);
    const later = new RetryBudget(0, 10, 10_000, 0);
    granted = 0;
    while (later.tryRetry(60_000)) granted++;
    expect(granted).toBe(100);
  });

  it('forgets calls and retries that slid out of the window', () => {
    const budget = new RetryBudget(0.5, 0, 10_000, 0);
    for (let i = 0; i < 10; i++) budget.recordCall(100);
    expect(budget.remaining(100)).toBe(5);
    while (budget.tryRetry(100));
    expect(budget.tryRetry(100)).toBe(false);
    // 10 s later the old bucket has expired: no calls, no retries, nothing allowed.
    expect(budget.remaining(10_200)).toBe(0);
    for (let i = 0; i < 4; i++) budget.recordCall(10_200);
    expect(budget.remaining(10_200)).toBe(2);
  });
});
