import { TimeoutError } from '../errors.js';
import type { AttemptResult, CallContext } from './context.js';

/** The deadline fields of a call, whatever its value type. */
type Timed = Pick<CallContext<unknown>, 'now' | 'deadline' | 'attemptTimeout'>;

// The call's deadline rules, in one place (docs/architecture.md, "Deadlines"). The deadline
// wheel only wakes calls; these decide what a call may still do when it is awake. Every check
// reads `ctx.now`, the clock reading the call last took, so a timer that fired late (an
// event-loop stall) is judged by when it actually ran, never by when it was due.

/** May an attempt start now? Not once the total deadline has passed. */
export function mayStartAttempt(ctx: Timed): boolean {
  return ctx.now < ctx.deadline;
}

/**
 * How late the deadline wheel may wake a wait, on time: its timer counts whole milliseconds
 * (rounded up, as Node's timers do), so a wait ends before `at + WAKE_SLACK`.
 */
export const WAKE_SLACK = 1;

/**
 * Can something that waits `delay` ms from now (a backoff) still start before the deadline?
 * A wait of `delay` > 0 wakes up to `WAKE_SLACK` after its time: one due in the deadline's last
 * millisecond would wake past it, and the retry would be counted and paid for but never sent.
 */
export function startsInTime(ctx: Timed, delay: number): boolean {
  return delay <= 0 ? ctx.now < ctx.deadline : ctx.now + delay + WAKE_SLACK <= ctx.deadline;
}

/** When an attempt starting at `now` times out: its own timeout, cut short by the call's deadline. */
export function attemptDeadline(ctx: Timed, now: number): number {
  const own = now + ctx.attemptTimeout;
  return own < ctx.deadline ? own : ctx.deadline;
}

/**
 * Whether an attempt with this deadline, timed out at `now`, runs out with the call (`'total'`)
 * or on its own (`'attempt'`). A timer that fired late (an event-loop stall) at or past the
 * call's deadline ends the call's time too, whatever the attempt's own deadline was.
 */
export function timeoutScope(ctx: Timed, deadline: number, now: number): 'attempt' | 'total' {
  return deadline >= ctx.deadline || now >= ctx.deadline ? 'total' : 'attempt';
}

/** The error of a call whose total deadline passed, saying how many attempts it made. */
export function totalTimeoutError(ctx: CallContext<unknown>, options?: { cause?: unknown }): TimeoutError {
  const made = ctx.attempts === 0 ? 'before the first attempt' : `after ${ctx.attempts} attempt${ctx.attempts === 1 ? '' : 's'}`;
  return new TimeoutError(ctx.host.options.name, 'total', ctx.totalTimeout, made, options);
}

/**
 * A result that ends a call after its total deadline passed, retries still wanted: an attempt
 * that timed out on its own before the deadline (scope `'attempt'`), whose end the user's code
 * then held past it (an `attempt` listener, a `classify`, an abort listener). The deadline is
 * what ended the call: a `'total'` TimeoutError, the attempt's as its cause. Anything else is
 * passed on as it is (a real failure says more than the deadline).
 */
export function overtakenByDeadline<T>(ctx: CallContext<T>, result: AttemptResult<T>): AttemptResult<T> {
  const outcome = result.outcome;
  if (outcome.ok || !(outcome.error instanceof TimeoutError) || outcome.error.scope !== 'attempt' || mayStartAttempt(ctx)) return result;
  return { ...result, outcome: { ok: false, error: totalTimeoutError(ctx as CallContext<unknown>, { cause: outcome.error }) } };
}
