import { CircuitState, type IBreaker } from 'cockatiel';

/** What {@link FailureRateBreaker} opens on. */
export interface FailureRateOptions {
  /** Opens when more than this share of the calls in the window failed, in (0, 1). */
  readonly threshold: number;
  /** The window, ms. */
  readonly duration: number;
  /** Opens only with at least this many calls a second over the window. */
  readonly minimumRps: number;
}

/** What `state` holds: the buckets' counts, oldest first, for cockatiel's `toJSON` and a restore. */
interface FailureRateState {
  readonly failures: number[];
  readonly successes: number[];
}

/**
 * The default breaker of the service-level circuit: opens when more than `threshold` of the
 * calls over the last `duration` ms failed, with at least `minimumRps` calls a second over that
 * window. The rule of cockatiel's `SamplingBreaker` (the window in at least 5 buckets of at most
 * 1 s), with two differences: every bucket older than the window is forgotten as time passes
 * (cockatiel's forgets one bucket per recorded call, so after a quiet spell the first failure
 * was judged with calls from minutes before), and it reads the client's clock.
 *
 * @example
 * const breaker = new FailureRateBreaker({ threshold: 0.5, duration: 10_000, minimumRps: 5 }, () => clock.now());
 * if (breaker.failure(CircuitState.Closed)) open();
 */
export class FailureRateBreaker implements IBreaker {
  readonly #threshold: number;
  readonly #bucketMs: number;
  readonly #minimumCalls: number;
  readonly #now: () => number;
  readonly #failures: number[];
  readonly #successes: number[];
  /** The bucket being filled, and when it started. */
  #current = 0;
  #currentStart = -Infinity;
  #failed = 0;
  #succeeded = 0;

  constructor(options: FailureRateOptions, now: () => number) {
    const buckets = Math.max(5, Math.ceil(options.duration / 1000));
    this.#threshold = options.threshold;
    this.#bucketMs = options.duration / buckets;
    this.#minimumCalls = (options.minimumRps * options.duration) / 1000;
    this.#now = now;
    this.#failures = new Array<number>(buckets).fill(0);
    this.#successes = new Array<number>(buckets).fill(0);
  }

  get state(): FailureRateState {
    this.#advance(this.#now());
    const order = (counts: number[]): number[] => [...counts.slice(this.#current + 1), ...counts.slice(0, this.#current + 1)];
    return { failures: order(this.#failures), successes: order(this.#successes) };
  }

  set state(value: unknown) {
    const given = value as Partial<FailureRateState> | null;
    const n = this.#failures.length;
    this.#reset();
    if (given === null || typeof given !== 'object' || !Array.isArray(given.failures) || !Array.isArray(given.successes)) return;
    for (let i = 0; i < n; i++) {
      this.#failures[i] = count(given.failures[i]);
      this.#successes[i] = count(given.successes[i]);
      this.#failed += this.#failures[i]!;
      this.#succeeded += this.#successes[i]!;
    }
    this.#current = n - 1;
    this.#currentStart = this.#now();
  }

  success(state: CircuitState): void {
    if (state === CircuitState.HalfOpen) this.#reset();
    this.#advance(this.#now());
    this.#successes[this.#current]!++;
    this.#succeeded++;
  }

  failure(state: CircuitState): boolean {
    this.#advance(this.#now());
    this.#failures[this.#current]!++;
    this.#failed++;
    if (state !== CircuitState.Closed) return true;
    const total = this.#failed + this.#succeeded;
    return total >= this.#minimumCalls && this.#failed > this.#threshold * total;
  }

  /** Moves to the bucket `now` falls in, forgetting each one it passes (all of them after a long quiet spell). */
  #advance(now: number): void {
    const elapsed = now - this.#currentStart;
    if (elapsed < this.#bucketMs) return;
    const n = this.#failures.length;
    const steps = Math.min(n, Math.floor(elapsed / this.#bucketMs));
    for (let i = 0; i < steps; i++) {
      const next = (this.#current + 1) % n;
      this.#failed -= this.#failures[next]!;
      this.#succeeded -= this.#successes[next]!;
      this.#failures[next] = 0;
      this.#successes[next] = 0;
      this.#current = next;
    }
    this.#currentStart = steps === n ? now : this.#currentStart + steps * this.#bucketMs;
  }

  #reset(): void {
    this.#failures.fill(0);
    this.#successes.fill(0);
    this.#failed = 0;
    this.#succeeded = 0;
    this.#currentStart = -Infinity;
  }
}

/** A count read back from a saved state: a whole number ≥ 0, else 0. */
function count(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0;
}
