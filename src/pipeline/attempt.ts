import { Attempt } from '../call/attempt.js';
import { mayStartAttempt } from '../call/deadline.js';
import type { AttemptResult, CallContext } from '../call/context.js';
import { LiveEndpoint, type EndpointState } from '../endpoints/endpoint.js';
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
    // A timer that fired late (an event-loop stall) must not start work after the caller's deadline.
    if (ctx.interruption !== undefined || !mayStartAttempt(ctx)) return this.#cannotStart(ctx);
    const host = ctx.host;
    // Ejections whose time is over go back to the picker first (one comparison while none is).
    const health = host.health;
    if (health !== undefined && ctx.now >= health.nextChangeAt) health.refresh(ctx.now);
    if (ctx.lastEndpoint !== undefined) {
      ctx.tried = [...ctx.tried, ctx.lastEndpoint];
      ctx.lastEndpoint = undefined;
    }
    let endpoint: unknown;
    try {
      endpoint = host.picker.pick(ctx);
    } catch (err) {
      return this.#pickerThrew(ctx, err);
    }
    // Slow start and priority/zone failover: picks keep their shares (nothing to do while neither applies).
    if (health !== undefined && health.adjusting) endpoint = health.adjustPick(ctx, endpoint);
    if (!(endpoint instanceof LiveEndpoint) || endpoint.owner !== host.registry || endpoint.retired) return this.#badPick(ctx, endpoint);
    // A hedge exists to reach another endpoint: when the picker has no untried one left (all
    // candidates tried, or the rest ejected), the hedge is not sent and the round goes on.
    if (hedge && ctx.tried.includes(endpoint)) return;
    if (health !== undefined && endpoint.health?.status === 'probing') health.probeStarted(endpoint);
    this.#start(ctx, endpoint, hedge);
  }

  #start<T>(ctx: CallContext<T>, endpoint: EndpointState, hedge: boolean): void {
    const attempt = new Attempt<T>(this.outer, ctx, endpoint, ctx.now, hedge);
    ctx.lastEndpoint = endpoint;
    ctx.addLive(attempt);
    ctx.host.observers.attemptStarted(attempt);
    ctx.wakeBy(attempt.deadline);
    let value: unknown;
    try {
      value = ctx.transport.run(endpoint, attempt);
    } catch (err) {
      attempt.onError(err);
      return;
    }
    if (value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<T>).then === 'function') {
      (value as PromiseLike<T>).then(attempt.onValue, attempt.onError);
    } else {
      attempt.onValue(value as T);
    }
  }

  /** Interrupted, or past the total deadline: no attempt starts. */
  #cannotStart<T>(ctx: CallContext<T>): void {
    if (ctx.interruption !== undefined) return this.outer.done(ctx, noAttempt(ctx.interruption.error, 'cancelled'));
    const error = new TimeoutError(ctx.host.options.name, 'total', ctx.totalTimeout, ctx.attempts === 0 ? 'before the first attempt' : `after ${ctx.attempts} attempt${ctx.attempts === 1 ? '' : 's'}`);
    this.outer.done(ctx, noAttempt(error, 'call timeout'));
  }

  #pickerThrew<T>(ctx: CallContext<T>, err: unknown): void {
    const host = ctx.host;
    this.outer.done(ctx, noAttempt(new PluginError(host.options.name, 'picker', `${host.picker.name}.pick() threw`, { cause: err }), 'picker failed'));
  }

  /** The picker had no endpoint, or returned something that is not one of this client's. */
  #badPick<T>(ctx: CallContext<T>, endpoint: unknown): void {
    const host = ctx.host;
    if (endpoint === undefined) {
      return this.outer.done(ctx, noAttempt(new NoEndpointsError(host.options.name, { cause: host.lastDiscoveryError }), 'no endpoints'));
    }
    // Obeying it could send the request to another client's host, one discovery removed, or run `fn` with garbage.
    const what = endpoint instanceof LiveEndpoint && endpoint.owner === host.registry ? 'an endpoint discovery has removed' : "something that is not one of this client's endpoints";
    const error = new PluginError(host.options.name, 'picker', `${host.picker.name}.pick() returned ${what}`);
    this.outer.done(ctx, noAttempt(error, 'picker failed'));
  }
}

/** The result of an attempt that never started. */
export function noAttempt<T>(error: unknown, reason: string): AttemptResult<T> {
  return { attempt: undefined, outcome: { ok: false, error }, verdict: reason === 'cancelled' ? 'cancelled' : 'failure', reason };
}
