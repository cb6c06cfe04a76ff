/** Options of the retry budget (Finagle `RetryBudget`; docs/architecture.md, "Retries"). */
export interface RetryBudgetOptions {
  /** Retries allowed as a share of calls in the window. Default 0.2 (Finagle: 20 %). */
  ratio?: number | undefined;
  /** Retries allowed per second of window on top of the ratio, so a quiet client can still retry. Default 10 (Finagle). */
  minPerSecond?: number | undefined;
  /** Sliding window length in ms. Default 10 000 (Finagle's 10 s TTL). */
  window?: number | undefined;
}

const BUCKETS = 10;

/**
 * Caps retries at `ratio × calls + minPerSecond × seconds covered` over a sliding window, so
 * a fully failing service costs about 1.2 attempts per call instead of `attempts`. The window
 * is ten buckets; old buckets expire as time moves on. Unlike Finagle's lump reserve, the
 * floor is a rate: a client that just started gets one second's worth of it, not ten.
 */
export class RetryBudget {
  readonly #ratio: number;
  readonly #minPerSecond: number;
  readonly #bucketMs: number;
  readonly #calls = new Float64Array(BUCKETS);
  readonly #retries = new Float64Array(BUCKETS);
  readonly #start: number;
  #bucket: number;
  #callSum = 0;
  #retrySum = 0;
  /** Where the current bucket ends: until then a call is counted without a division. */
  #bucketEnd: number;
  #slot: number;

  constructor(ratio: number, minPerSecond: number, window: number, now: number) {
    this.#ratio = ratio;
    this.#minPerSecond = minPerSecond;
    this.#bucketMs = window / BUCKETS;
    this.#start = now;
    this.#bucket = Math.floor(now / this.#bucketMs);
    this.#bucketEnd = (this.#bucket + 1) * this.#bucketMs;
    this.#slot = slotOf(this.#bucket);
  }

  /** Counts one call (not its retries). */
  recordCall(now: number): void {
    if (now >= this.#bucketEnd) this.#advance(now);
    this.#calls[this.#slot]! += 1;
    this.#callSum += 1;
  }

  /**
   * Takes one retry from the budget; false when none is left. `ratio` overrides the budget's
   * own for this check (a hedged call may carry its own `maxExtraLoad`).
   */
  tryRetry(now: number, ratio: number = this.#ratio): boolean {
    this.#advance(now);
    if (this.#retrySum + 1 > this.#allowance(now, ratio)) return false;
    this.#retries[this.#slot]! += 1;
    this.#retrySum += 1;
    return true;
  }

  /**
   * Gives back a token `tryRetry` granted at `grantedAt` (default `now`) whose retry (or hedge)
   * added no load after all: it comes off the bucket that counted it, if the window still
   * holds that bucket (otherwise it has expired already).
   *
   * @example
   * if (budget.tryRetry(now) && !sent()) budget.giveBack(now);
   */
  giveBack(now: number, grantedAt: number = now): void {
    if (this.#takeBack(this.#retries, now, grantedAt)) this.#retrySum -= 1;
  }

  /**
   * Takes back a call `recordCall` counted at `countedAt` that was refused before it could send
   * anything (an open circuit): calls that add no load earn no retries (or hedges).
   */
  forgetCall(now: number, countedAt: number = now): void {
    if (this.#takeBack(this.#calls, now, countedAt)) this.#callSum -= 1;
  }

  /** Takes one off `counts` in the bucket of `at`, if the window still holds it and it has one; whether it did. */
  #takeBack(counts: Float64Array, now: number, at: number): boolean {
    this.#advance(now);
    const bucket = Math.floor(at / this.#bucketMs);
    if (bucket > this.#bucket || bucket <= this.#bucket - BUCKETS) return false;
    const slot = slotOf(bucket);
    if (counts[slot]! <= 0) return false;
    counts[slot]! -= 1;
    return true;
  }

  /** Retries the window still allows now. */
  remaining(now: number): number {
    this.#advance(now);
    return Math.max(0, Math.floor(this.#allowance(now, this.#ratio) - this.#retrySum));
  }

  #allowance(now: number, ratio: number): number {
    const covered = Math.min(this.#bucketMs * BUCKETS, Math.max(1000, now - this.#start));
    return ratio * this.#callSum + (this.#minPerSecond * covered) / 1000;
  }

  #advance(now: number): void {
    const bucket = Math.floor(now / this.#bucketMs);
    if (bucket <= this.#bucket) return;
    const steps = Math.min(bucket - this.#bucket, BUCKETS);
    for (let i = 1; i <= steps; i++) {
      const slot = slotOf(this.#bucket + i);
      this.#callSum -= this.#calls[slot]!;
      this.#retrySum -= this.#retries[slot]!;
      this.#calls[slot] = 0;
      this.#retries[slot] = 0;
    }
    this.#bucket = bucket;
    this.#bucketEnd = (bucket + 1) * this.#bucketMs;
    this.#slot = slotOf(bucket);
  }
}

/** The client's retry budget for resolved `retry.budget` settings; `undefined` when it is off. */
export function budgetFor(settings: { ratio: number; minPerSecond: number; window: number } | false, now: number): RetryBudget | undefined {
  return settings === false ? undefined : new RetryBudget(settings.ratio, settings.minPerSecond, settings.window, now);
}

/** Whether two resolved `retry.budget` settings are the same (then `reconfigure` keeps the budget and what it has counted). */
export function sameBudgetSettings(a: { ratio: number; minPerSecond: number; window: number } | false, b: { ratio: number; minPerSecond: number; window: number } | false): boolean {
  if (a === false || b === false) return a === b;
  return a.ratio === b.ratio && a.minPerSecond === b.minPerSecond && a.window === b.window;
}

/**
 * The slot of bucket number `bucket` in the ring, 0 … BUCKETS − 1, for any bucket number: a
 * clock's readings may be negative (any origin), and `%` of a negative number is negative (a
 * Float64Array ignores a write to a negative index and reads `undefined` from one).
 */
function slotOf(bucket: number): number {
  const slot = bucket % BUCKETS;
  return slot < 0 ? slot + BUCKETS : slot;
}
