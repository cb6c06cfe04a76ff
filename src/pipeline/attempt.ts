import { Attempt } from '../call/attempt.js';
import { mayStartAttempt, totalTimeoutError } from '../call/deadline.js';
import type { AttemptResult, CallContext } from '../call/context.js';
import { LiveEndpoint } from '../endpoints/endpoint.js';
import { NoEndpointsError, PluginError, TimeoutError } from '../errors.js';
import { Stage } from './stage.js';

/**
 * The innermost stage: may an attempt start now? If so, pick an endpoint, check what the
 * picker returned, start the transport and watch its deadline. How the attempt ends is
 * reported to the stage above by the attempt itself.
 */
export class AttemptStage extends Stage {
  // The usual path is kept short, with each rare outcome in a method of its own: V8 inlines
  // small functions into their callers, and a call level costs more than the work it wraps.
  run<T>(ctx: CallContext<T>): void {
    const hedge = ctx.hedging;
    ctx.hedging = false;
    const host = ctx.host;
    // A timer that fired late (an event-loop stall) must not start work after the caller's deadline;
    // nor may a call that close() could not reach (one a listener was running for) go on.
    if (ctx.interruption !== undefined || host.stopped !== undefined || !mayStartAttempt(ctx)) return this.#cannotStart(ctx, hedge);
    const health = host.health;
    // Ejections whose time is over go back to the picker first (one comparison while none is).
    if (health !== undefined && ctx.now >= health.nextChangeAt && !this.#refreshed(ctx, hedge)) return;
    if (ctx.lastEndpoint !== undefined) {
      ctx.tried = [...ctx.tried, ctx.lastEndpoint];
      ctx.lastEndpoint = undefined;
    }
    let endpoint: unknown;
    // Whether the user's code may run before the attempt starts (a picker of theirs, a listener of
    // a health event): it may close the client, abort the call or take it past its deadline.
    let userCode = host.userPicker;
    try {
      // Slow start and priority/zone failover: picks keep their shares (nothing to do while
      // neither applies). The shares make their picks themselves: a pick made first would spend
      // a turn of a stateful picker's rotation that they do not use.
      if (health !== undefined && health.shares.adjusting) {
        endpoint = health.shares.pick(ctx);
        userCode = true;
      } else {
        endpoint = host.picker.pick(ctx);
      }
    } catch (err) {
      return this.#pickerThrew(ctx, err);
    }
    if (!LiveEndpoint.isOne(endpoint) || endpoint.owner !== host.registry || endpoint.retired || (userCode && !endpoint.offered)) {
      // A hedge exists to reach another endpoint: when the picker has none (every endpoint
      // ejected with panic off, or a picker of the user's that offers only untried ones), the
      // hedge is not sent and the round goes on with the attempts already running.
      if (hedge && endpoint === undefined) return;
      return this.#badPick(ctx, endpoint);
    }
    // Nor is it when the picker has no untried one left (all candidates tried, or the rest ejected).
    if (hedge && ctx.tried.includes(endpoint)) return;
    if (health !== undefined && endpoint.health?.status === 'probing') {
      if (!this.#probeStarted(ctx, endpoint)) return;
      userCode = true;
    }
    this.#start(ctx, endpoint, hedge, userCode);
  }

  /**
   * Re-admits endpoints whose ejection is over, which updates the picker: a user's picker may
   * take long over it, so the clock is read again and the deadline checked after it. False
   * when the call ended or cannot go on (the picker's `update` threw, or the deadline passed).
   */
  #refreshed<T>(ctx: CallContext<T>, hedge: boolean): boolean {
    const host = ctx.host;
    try {
      host.health!.refresh(ctx.now);
    } catch (err) {
      this.#pickerThrew(ctx, err);
      return false;
    }
    ctx.now = host.clock.now();
    // Its `health` and `panic` listeners may also have closed the client or aborted the call.
    if (ctx.interruption === undefined && host.stopped === undefined && mayStartAttempt(ctx)) return true;
    this.#cannotStart(ctx, hedge);
    return false;
  }

  /** Counts a probe on `endpoint`; false (and the call failed) when a plugin threw on the way (the picker's `update`). */
  #probeStarted<T>(ctx: CallContext<T>, endpoint: LiveEndpoint): boolean {
    try {
      ctx.host.health!.probeStarted(endpoint);
      return true;
    } catch (err) {
      this.#pickerThrew(ctx, err);
      return false;
    }
  }

  #start<T>(ctx: CallContext<T>, endpoint: LiveEndpoint, hedge: boolean, userCode: boolean): void {
    const attempt = new Attempt<T>(this.outer, ctx, endpoint, ctx.now, hedge);
    ctx.lastEndpoint = endpoint;
    ctx.addLive(attempt);
    ctx.host.observers.attemptStarted(attempt);
    // A hedge's start is an event, and its listeners run before the request is sent; the user's
    // code may also have run during the pick.
    if ((hedge || userCode) && !this.#maySend(ctx, attempt)) return;
    ctx.wakeBy(attempt.deadline);
    // The clock failed as the wheel was armed for it: the call ended (`clockFailed`), nothing is sent.
    if (attempt.ended) return;
    let value: unknown;
    try {
      value = ctx.transport.run(endpoint, attempt);
      // A thenable whose `then` throws (or a `then` getter that does) fails the attempt like a throw.
      if (value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<T>).then === 'function') {
        (value as PromiseLike<T>).then(attempt.onValue, attempt.onError);
        return;
      }
    } catch (err) {
      attempt.onError(err);
      return;
    }
    attempt.onValue(value as T);
  }

  /**
   * After the user's code ran (the `hedge` event's listeners, a picker of the user's, a listener
   * of a health event): the attempt is sent only if it did not close the client, abort the call
   * or take it past its deadline (the clock is read again: it may have taken long), and did not
   * make discovery remove its endpoint (or leave it out of this client's subset); it is timed
   * from now. Otherwise it ends unsent: cancelled, expired (nothing of it counts against its
   * endpoint), or to be retried elsewhere.
   */
  #maySend<T>(ctx: CallContext<T>, attempt: Attempt<T>): boolean {
    const stopped = ctx.host.stopped;
    if (stopped !== undefined) ctx.closeWith(stopped);
    // Interrupted before this attempt was live (the interruption ended only the ones running then).
    const interruption = ctx.interruption;
    if (interruption !== undefined) attempt.cancel(interruption.error, 'cancelled');
    if (attempt.ended) return false;
    const now = ctx.host.clock.now();
    ctx.now = now;
    attempt.startAgainAt(now);
    if (!mayStartAttempt(ctx)) attempt.expireUnsent(now);
    // Sending it would open connections to a host discovery no longer lists (or this client's
    // subset left out), which nothing would close any more.
    else if (attempt.endpoint.retired || !attempt.endpoint.inSubset) attempt.endpointRemoved(now);
    else return true;
    return false;
  }

  /**
   * Interrupted (or the client closed), or past the total deadline: no attempt starts. A hedge
   * the deadline overtook before it was sent says nothing (`notSent`): the round waits for the
   * attempts that were sent, which time out on the same deadline.
   */
  #cannotStart<T>(ctx: CallContext<T>, hedge: boolean): void {
    const stopped = ctx.host.stopped;
    if (ctx.interruption === undefined && stopped !== undefined) {
      // Ending its running attempts may end the call.
      ctx.closeWith(stopped);
      if (ctx.ended) return;
    }
    if (ctx.interruption !== undefined) return this.outer.done(ctx, noAttempt(ctx.interruption.error, 'cancelled'));
    const result = noAttempt<T>(totalTimeoutError(ctx as CallContext<unknown>), 'call timeout');
    this.outer.done(ctx, hedge ? { ...result, notSent: true } : result);
  }

  /** The pick threw: the picker itself, or a plugin health tracking called on the way (already a `PluginError`). */
  #pickerThrew<T>(ctx: CallContext<T>, err: unknown): void {
    const host = ctx.host;
    const error = err instanceof PluginError ? err : new PluginError(host.options.name, 'picker', `${host.picker.name}.pick() threw`, { cause: err });
    this.outer.done(ctx, noAttempt(error, 'picker failed'));
  }

  /** The picker had no endpoint, or returned something that is not one of this client's. */
  #badPick<T>(ctx: CallContext<T>, endpoint: unknown): void {
    const host = ctx.host;
    if (endpoint === undefined) {
      return this.outer.done(ctx, noAttempt(new NoEndpointsError(host.options.name, { cause: host.lastDiscoveryError }), 'no endpoints'));
    }
    // Obeying it could send the request to another client's host, one discovery removed, one
    // health ejected (or outside the subset), or run `fn` with garbage.
    const ours = LiveEndpoint.isOne(endpoint) && endpoint.owner === host.registry;
    const what = !ours ? "something that is not one of this client's endpoints (nor is a copy or a Proxy of one)" : endpoint.retired ? 'an endpoint discovery has removed' : 'an endpoint it was not given (ejected by health, or outside the subset)';
    const error = new PluginError(host.options.name, 'picker', `${host.picker.name}.pick() returned ${what}`);
    this.outer.done(ctx, noAttempt(error, 'picker failed'));
  }
}

/** The result of an attempt that never started. */
export function noAttempt<T>(error: unknown, reason: string): AttemptResult<T> {
  return { attempt: undefined, outcome: { ok: false, error }, verdict: reason === 'cancelled' ? 'cancelled' : 'failure', reason };
}
