import type { CallContext, CallTimer } from '../call/context.js';
import type { CallHost } from '../call/host.js';
import { NoEndpointsError, TimeoutError } from '../errors.js';
import { noAttempt } from './attempt.js';
import type { RetryBudget } from './budget.js';
import { Stage } from './stage.js';

/**
 * The outermost stage: a call made before discovery delivered a first endpoint set waits for
 * one, up to its deadline. Once discovery has reported an error and still no set, calls fail at
 * once with `NoEndpointsError` carrying that error (gRPC fails calls while its resolver is
 * failing), unless the client was created with `waitForEndpoints: true`.
 */
export class WaitForEndpoints extends Stage {
  readonly #host: CallHost;
  readonly #waiting = new Set<FirstSetWait<unknown>>();
  /** The client's hedge budget: a call that waited counts in it once it goes on (one that fails here sends nothing). */
  readonly #hedges: { readonly budget: RetryBudget | undefined };

  constructor(host: CallHost, hedges: { readonly budget: RetryBudget | undefined } = { budget: undefined }) {
    super();
    this.#host = host;
    this.#hedges = hedges;
  }

  run<T>(ctx: CallContext<T>): void {
    this.enter(ctx, this.inner);
  }

  /**
   * Runs `ctx` on through `next` (the stages below this one that were current when the call
   * started: a `fetch` reading its Request's body meanwhile keeps them across a `reconfigure`),
   * once a first endpoint set is known.
   */
  enter<T>(ctx: CallContext<T>, next: Stage): void {
    const host = this.#host;
    if (host.registry.known) {
      this.#hedges.budget?.recordCall(ctx.now);
      next.run(ctx);
      return;
    }
    if (host.lastDiscoveryError !== undefined && !host.options.waitForEndpoints) {
      this.outer.done(ctx, noAttempt(new NoEndpointsError(host.options.name, { cause: host.lastDiscoveryError }), 'no endpoints'));
      return;
    }
    // The call goes on through the stages composed when it started, even if `reconfigure` builds new ones meanwhile.
    const wait = new FirstSetWait(this, ctx, next);
    this.#waiting.add(wait as FirstSetWait<unknown>);
    ctx.setTimer(wait, ctx.deadline);
  }

  /** A first set arrived: every waiting call goes on. */
  known(): void {
    const waiting = this.#take();
    if (waiting.length === 0) return;
    const clock = this.#host.clock;
    for (const wait of waiting) {
      if (wait.ctx.timer === wait) wait.ctx.timer = undefined;
      // A reading per call: starting one call's attempt may take long (an execute fn's synchronous work).
      wait.ctx.now = clock.now();
      this.#hedges.budget?.recordCall(wait.ctx.now);
      wait.next.run(wait.ctx);
    }
  }

  /** Discovery failed before any set: waiting calls fail now, unless told to wait. */
  failed(error: unknown): void {
    if (this.#host.options.waitForEndpoints) return;
    for (const wait of this.#take()) {
      if (wait.ctx.timer === wait) wait.ctx.timer = undefined;
      this.outer.done(wait.ctx, noAttempt(new NoEndpointsError(this.#host.options.name, { cause: error }), 'no endpoints'));
    }
  }

  /** Called by a wait whose deadline passed or whose call was interrupted. */
  end<T>(wait: FirstSetWait<T>, error: unknown, cancelled: boolean): void {
    if (!this.#waiting.delete(wait as FirstSetWait<unknown>)) return;
    this.outer.done(wait.ctx, noAttempt(error, cancelled ? 'cancelled' : 'call timeout'));
  }

  #take(): FirstSetWait<unknown>[] {
    const all = [...this.#waiting];
    this.#waiting.clear();
    return all;
  }
}

/** One call waiting for a first endpoint set; its timer is due at the call's deadline. */
class FirstSetWait<T> implements CallTimer {
  readonly ctx: CallContext<T>;
  /** The stage the call goes on to once a set is known. */
  readonly next: Stage;
  readonly #stage: WaitForEndpoints;

  constructor(stage: WaitForEndpoints, ctx: CallContext<T>, next: Stage) {
    this.#stage = stage;
    this.ctx = ctx;
    this.next = next;
  }

  fire(): void {
    const host = this.ctx.host;
    const error = new TimeoutError(host.options.name, 'total', this.ctx.totalTimeout, 'waiting for a first endpoint set', { cause: host.lastDiscoveryError });
    this.#stage.end(this, error, false);
  }

  cancel<U>(_ctx: CallContext<U>, error: unknown): void {
    this.#stage.end(this, error, true);
  }
}
