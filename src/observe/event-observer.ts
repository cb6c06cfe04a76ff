import { emitSafely, type EventSink } from './events.js';
import type { AnyAttempt, AnyCall, AnyResult, CallObserver } from './observer.js';

/**
 * Turns what the pipeline reports into the client's events. The client plugs it in only while
 * someone listens to a call event, and it emits nothing nobody listens to.
 */
export class EventObserver implements CallObserver {
  readonly #events: EventSink;

  constructor(events: EventSink) {
    this.#events = events;
  }

  attemptStarted(attempt: AnyAttempt): void {
    if (!attempt.hedge || this.#events.listenerCount('hedge') === 0) return;
    emitSafely(this.#events, 'hedge', { endpoint: attempt.endpoint, attempt: attempt.attempt, after: attempt.startedAt - attempt.ctx.startedAt });
  }

  attemptEnded(attempt: AnyAttempt, result: AnyResult): void {
    if (this.#events.listenerCount('attempt') === 0) return;
    const outcome = result.outcome;
    emitSafely(this.#events, 'attempt', {
      endpoint: attempt.endpoint, attempt: attempt.attempt, ok: result.verdict === 'success', verdict: result.verdict,
      hedge: attempt.hedge, latency: attempt.latency, reason: result.reason, status: result.status,
      error: outcome.ok ? undefined : outcome.error,
    });
  }

  retrying(ctx: AnyCall, result: AnyResult, delay: number): void {
    if (result.attempt === undefined || this.#events.listenerCount('retry') === 0) return;
    emitSafely(this.#events, 'retry', { endpoint: result.attempt.endpoint, attempt: ctx.attempts + 1, delay, reason: result.reason });
  }

  budgetExhausted(_ctx: AnyCall, result: AnyResult): void {
    if (result.attempt === undefined) return;
    emitSafely(this.#events, 'budgetExhausted', { endpoint: result.attempt.endpoint, attempt: result.attempt.attempt, reason: result.reason });
  }
}
