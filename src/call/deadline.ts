import type { CallContext } from './context.js';

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

/** Can something that waits `delay` ms from now (a backoff) still start before the deadline? */
export function startsInTime(ctx: Timed, delay: number): boolean {
  return ctx.now + delay < ctx.deadline;
}

/** When an attempt starting at `now` times out: its own timeout, cut short by the call's deadline. */
export function attemptDeadline(ctx: Timed, now: number): number {
  const own = now + ctx.attemptTimeout;
  return own < ctx.deadline ? own : ctx.deadline;
}

/** Whether an attempt with this deadline runs out with the call (`'total'`) or on its own (`'attempt'`). */
export function timeoutScope(ctx: Timed, deadline: number): 'attempt' | 'total' {
  return deadline >= ctx.deadline ? 'total' : 'attempt';
}
