import { decorrelatedJitterGenerator, ExponentialBackoff, type IBackoffFactory } from 'cockatiel';

/**
 * Backoff between attempts: exponential from `base` to `cap` ms with decorrelated jitter,
 * cockatiel's generator (Envoy's retry policy uses the same shape, 25 ms base).
 *
 * @example
 * const first = createBackoff(25, 250).next(undefined); // first.duration between 0 and ≈ 1.4 × base (≈ 0–34 ms): the jitter's spread
 */
export function createBackoff(base: number, cap: number): IBackoffFactory<unknown> {
  return new ExponentialBackoff({ initialDelay: base, maxDelay: cap, generator: decorrelatedJitterGenerator });
}
