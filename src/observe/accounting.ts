import { ENDPOINT_REMOVED } from '../call/attempt.js';
import type { LatencyWindow } from './latency-window.js';
import type { AnyAttempt, AnyResult, CallObserver } from './observer.js';

/** Running totals shown by `stats()`. */
export interface CallCounters {
  started: number;
  /** Calls whose final outcome was judged a success (a fetch that ended on a 503 is not one). */
  succeeded: number;
  failed: number;
  attempts: number;
  retries: number;
  budgetExhausted: number;
  hedges: number;
  hedgesWon: number;
}

/** Latency recorded for a failed attempt that failed faster: a fast failure must not look like a fast host. */
export const FAILURE_PENALTY_MS = 1_000;

/**
 * Keeps the books: call and attempt counters, and on each endpoint its in-flight count,
 * outcome counts and latency estimate. Every attempt that starts ends exactly once, as a
 * success, a failure or a cancellation, so the figures add up.
 */
export class Accounting implements CallObserver {
  readonly counters: CallCounters = { started: 0, succeeded: 0, failed: 0, attempts: 0, retries: 0, budgetExhausted: 0, hedges: 0, hedgesWon: 0 };
  /** Recent successful latencies, for percentile hedge delays (fed from here: one observer call less per attempt). */
  readonly #window: LatencyWindow;
  /**
   * From which failure in a row a failure counts as at least 1 s of latency, so that a
   * fast-failing endpoint does not look fast. Without health tracking, from the first. With it,
   * from the second: failures are mainly health's business (ejection), and a healthy endpoint
   * that failed once keeps its share (a first failure counts only as at least the time it ran), but one that keeps failing and stays in (the max-ejection
   * guard, or a `health.isFailure` that does not count its failures) must not win the picks.
   */
  readonly #penaltyFrom: number;
  /**
   * How long a penalty holds (ms): `health.ejectionTime` (30 s, Envoy's base ejection time), so
   * an endpoint that failed fast and then got no calls, as a dead one does, is tried again after
   * as long as an ejection would have lasted (one back from a restart then gets its calls), not
   * once the penalty has decayed (≈ 53 s against 5 ms peers). Set again by `reconfigure`.
   */
  penaltyHold: number;

  constructor(window: LatencyWindow, healthTracked: boolean, penaltyHold: number) {
    this.#window = window;
    this.penaltyHold = penaltyHold;
    this.#penaltyFrom = healthTracked ? 2 : 1;
  }

  callStarted(): void {
    this.counters.started++;
  }

  callEnded(_ctx: unknown, result: AnyResult): void {
    if (result.verdict === 'success') this.counters.succeeded++;
    else this.counters.failed++;
    // A hedge that gave the call its final answer, a success or a failure that is not retried (a 500).
    // Not one whose value is a response an earlier attempt brought (kept across a retry).
    if (result.attempt?.hedge === true && (result.verdict === 'success' || result.verdict === 'failure') && result.keptValue !== true) this.counters.hedgesWon++;
  }

  attemptStarted(attempt: AnyAttempt): void {
    attempt.endpoint.inflight++;
    this.counters.attempts++;
    if (attempt.hedge) this.counters.hedges++;
  }

  attemptEnded(attempt: AnyAttempt, result: AnyResult): void {
    const endpoint = attempt.endpoint;
    endpoint.inflight--;
    if (result.verdict === 'success') {
      endpoint.successes++;
      endpoint.failuresInARow = 0;
      endpoint.latency.observe(attempt.latency, attempt.startedAt + attempt.latency);
      this.#window.record(attempt.latency);
    } else {
      this.#notSucceeded(attempt, result);
    }
  }

  #notSucceeded(attempt: AnyAttempt, result: AnyResult): void {
    const endpoint = attempt.endpoint;
    const end = attempt.startedAt + attempt.latency;
    // Not sent, its endpoint gone (or out of the subset) first: nothing reached it, as for a cancelled one.
    if (result.verdict === 'cancelled' || result.reason === ENDPOINT_REMOVED) {
      endpoint.cancelled++;
      // Cut short before it answered: all we know is that it took at least this long.
      endpoint.latency.observeAtLeast(attempt.latency, end);
    } else {
      endpoint.failures++;
      if (++endpoint.failuresInARow >= this.#penaltyFrom) {
        if (attempt.latency < FAILURE_PENALTY_MS) endpoint.latency.observePenalty(FAILURE_PENALTY_MS, end, this.penaltyHold);
        // A failure that took longer is a real sample: it decays as any other.
        else endpoint.latency.observe(attempt.latency, end);
      }
      // Spared the penalty, not the time it took: a failure that ran long (an attempt timeout on
      // a host that stopped answering) took at least that, as a cancelled attempt does.
      else endpoint.latency.observeAtLeast(attempt.latency, end);
    }
  }

  retrying(): void {
    this.counters.retries++;
  }

  budgetExhausted(): void {
    this.counters.budgetExhausted++;
  }
}
