import type { AttemptResult } from '../call/context.js';
import { PluginError } from '../errors.js';
import type { Transport } from '../transports/transport.js';

// A response an earlier attempt brought and the call passed over (a 503 it retried, or a hedge
// round's) against a later result: one rule for the retry stage and the hedge stage.

/**
 * Whether a user's plugin failed (a picker, a `classify`, a breaker): the call then fails with
 * the `PluginError`, as it promises, and nothing more is sent.
 *
 * @example
 * if (pluginFailed(result)) return this.outer.done(ctx, result);
 */
export function pluginFailed<T>(result: AttemptResult<T>): boolean {
  return !result.outcome.ok && result.outcome.error instanceof PluginError;
}

/**
 * `result` with `kept` as its value when it is a failure without a response of its own, as
 * `fetch` returns the last response it got; otherwise `result` as it is, and `kept` released.
 * Only a `'retry'` or `'failure'` verdict takes the kept response: a success has its own
 * answer (an error a `classify` judged a success is thrown as is), and a cancellation or a
 * plugin failure ends the call with its own error.
 *
 * @example
 * result = withKept(ctx.transport, result, ctx.kept.value);
 */
export function withKept<T>(transport: Transport<T>, result: AttemptResult<T>, kept: T): AttemptResult<T> {
  if (takesKept(result)) return { ...result, outcome: { ok: true, value: kept }, keptValue: true };
  transport.discard?.(kept);
  return result;
}

/**
 * A hedge round's answer when `result` ended it and `kept` (an earlier attempt's response, a
 * 503 say) was waiting: as {@link withKept}, but the kept attempt's own result goes up, with its
 * endpoint, status and `Retry-After` (what the retry stage needs to keep the retry away from the
 * endpoint that asked for a pause), under `result`'s verdict, marked as a kept value.
 *
 * @example
 * if (response !== undefined) result = withKeptResult(ctx.transport, result, response);
 */
export function withKeptResult<T>(transport: Transport<T>, result: AttemptResult<T>, kept: AttemptResult<T>): AttemptResult<T> {
  // Marked kept: the round did not end on it, so `hedges.won` does not count it (README, "Hedging").
  if (takesKept(result)) return { ...kept, verdict: result.verdict, keptValue: true };
  if (kept.outcome.ok) transport.discard?.(kept.outcome.value);
  return result;
}

/** Only a failure without a response of its own, and no plugin failure, takes a kept response. */
function takesKept<T>(result: AttemptResult<T>): boolean {
  return !result.outcome.ok && (result.verdict === 'retry' || result.verdict === 'failure') && !pluginFailed(result);
}
