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
 * A cancellation and a plugin failure never take the kept response, and neither does a result
 * that `keep` refuses (the hedge stage's: only a retry or failure verdict takes it).
 *
 * @example
 * result = withKept(ctx.transport, result, ctx.kept.value);
 */
export function withKept<T>(transport: Transport<T>, result: AttemptResult<T>, kept: T, keep: (result: AttemptResult<T>) => boolean = always): AttemptResult<T> {
  if (!result.outcome.ok && result.verdict !== 'cancelled' && !pluginFailed(result) && keep(result)) {
    return { ...result, outcome: { ok: true, value: kept } };
  }
  transport.discard?.(kept);
  return result;
}

const always = (): boolean => true;
