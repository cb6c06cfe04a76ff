import { CircuitState, type IBreaker } from 'cockatiel';
import { ENDPOINT_REMOVED } from '../call/attempt.js';
import type { CallContext } from '../call/context.js';
import type { ResolvedCircuit } from '../config/resolved.js';
import { CircuitOpenError } from '../errors.js';
import type { AnyCall, AnyResult, CallObserver } from '../observe/observer.js';
import { DEFAULTS } from '../config/defaults.js';
import { makeBreaker } from '../health/guarded-breaker.js';
import { FailureRateBreaker } from './failure-rate-breaker.js';
import { noAttempt } from './attempt.js';
import { pluginFailed } from './kept-response.js';
import type { RetryBudget } from './budget.js';
import { Stage } from './stage.js';

/** A service-level circuit's state. */
export type CircuitStatus = 'closed' | 'open' | 'half-open';

/**
 * The optional service-level breaker (docs/architecture.md, "Stages"): while the whole service
 * is failing, calls fail at once with `CircuitOpenError` instead of each spending attempts,
 * budget and the caller's time. A cockatiel `IBreaker` decides from calls' final verdicts when
 * to open; after `halfOpenAfter` one trial call goes through, and its verdict closes or reopens
 * the circuit. Calls cut short by their caller or by `close()`, and calls that sent nothing (no
 * endpoints, a picker that failed), count for nothing.
 */
export class Circuit implements CallObserver {
  status: CircuitStatus = 'closed';
  /** Calls refused while the circuit was open. */
  rejected = 0;
  readonly #options: ResolvedCircuit;
  readonly #make: () => IBreaker;
  readonly #changed: (status: CircuitStatus, previous: CircuitStatus) => void;
  #breaker: IBreaker;
  #openedAt = 0;
  #trial: CallContext<unknown> | undefined;
  readonly #service: string;
  /** Set while a call's end is judged: a change it makes is announced once the other observers have seen the call end. */
  #ending = false;

  /** `now`: the client's clock, which the default breaker's window runs on. */
  constructor(options: ResolvedCircuit, changed: (status: CircuitStatus, previous: CircuitStatus) => void, service: string, now: () => number) {
    this.#options = options;
    this.#service = service;
    this.#make = options.breaker ?? (() => new FailureRateBreaker({ threshold: DEFAULTS.circuitFailureRate, duration: DEFAULTS.circuitSamplingWindow, minimumRps: DEFAULTS.circuitMinimumRps }, now));
    this.#breaker = makeBreaker(this.#make, service, 'circuitBreaker.breaker');
    this.#changed = changed;
  }

  /**
   * Whether a call may go on now (closed, or the half-open trial); a refused one is counted.
   * Called by each {@link CircuitStage} made for this client, one per `reconfigure`.
   */
  admit<T>(ctx: CallContext<T>): boolean {
    if (this.status === 'closed') return true;
    if (this.status === 'open' && ctx.now - this.#openedAt >= this.#options.halfOpenAfter) {
      this.#set('half-open');
      // A `circuit` listener's own call (a warm-up) may have been the trial, and closed it already.
      if ((this.status as CircuitStatus) === 'closed') return true;
    }
    if (this.status === 'open' || this.#trial !== undefined) {
      this.rejected++;
      return false;
    }
    this.#trial = ctx as CallContext<unknown>;
    return true;
  }

  /** Whether a call started at `now` would be refused (open and not yet due for a trial, or half-open with its trial running). */
  refusesAt(now: number): boolean {
    if (this.status === 'open') return now - this.#openedAt < this.#options.halfOpenAfter;
    return this.status === 'half-open' && this.#trial !== undefined;
  }

  callEnded(ctx: AnyCall, result: AnyResult): void {
    // Its own refusals say nothing about the service.
    if (result.attempt === undefined && !result.outcome.ok && result.outcome.error instanceof CircuitOpenError) return;
    const trial = this.#trial === ctx;
    if (trial) this.#trial = undefined;
    // Nor does a call that sent nothing (no endpoints, a picker that failed, a deadline that
    // passed before the first attempt), or one a plugin of the user's failed (a `classify` that
    // threw). The next call is the trial, when this one was. (A call that sent attempts and then
    // ran out of time ends with no attempt of its own, and counts.)
    if (result.verdict === 'cancelled' || ctx.attempts === 0 || pluginFailed(result)) return;
    // Nor one that ended on an attempt not sent because your code had its endpoint removed first.
    if (result.reason === ENDPOINT_REMOVED) return;
    const ok = result.verdict === 'success';
    // The books see the call end after this observer: `circuit` listeners hear of a change once
    // every observer has (a microtask, still before the caller's code goes on).
    this.#ending = true;
    try {
      if (trial) this.#trialEnded(ok, ctx.now);
      else if (this.status === 'closed') {
        if (ok) this.#breaker.success(CircuitState.Closed);
        else if (this.#breaker.failure(CircuitState.Closed)) this.#open(ctx.now);
      }
    } finally {
      this.#ending = false;
    }
  }

  /**
   * The half-open trial's verdict closes or reopens the circuit. The breaker hears it as
   * cockatiel's policy tells it (`success(HalfOpen)` / `failure(HalfOpen)`: what resets a
   * breaker the factory hands out again); a closed circuit starts on a fresh breaker.
   */
  #trialEnded(ok: boolean, now: number): void {
    const breaker = this.#breaker;
    if (ok) {
      this.#breaker = makeBreaker(this.#make, this.#service, 'circuitBreaker.breaker');
      this.#set('closed');
      breaker.success(CircuitState.HalfOpen);
    } else {
      this.#open(now);
      breaker.failure(CircuitState.HalfOpen);
    }
  }

  #open(now: number): void {
    this.#openedAt = now;
    this.#set('open');
  }

  #set(status: CircuitStatus): void {
    const previous = this.status;
    if (previous === status) return;
    this.status = status;
    if (this.#ending) queueMicrotask(() => this.#changed(status, previous));
    else this.#changed(status, previous);
  }
}

/**
 * The circuit's place in a pipeline: a call the {@link Circuit} refuses fails at once with
 * `CircuitOpenError`. One per composition (`reconfigure` builds new stages), all sharing the
 * client's one `Circuit`, so a call that waited for endpoints goes on through the stages it
 * started with.
 */
export class CircuitStage extends Stage {
  readonly #circuit: Circuit;
  /** The client's hedge budget, which counted the call before it got here. */
  readonly #hedges: { readonly budget: RetryBudget | undefined };

  constructor(circuit: Circuit, hedges: { readonly budget: RetryBudget | undefined } = { budget: undefined }) {
    super();
    this.#circuit = circuit;
    this.#hedges = hedges;
  }

  run<T>(ctx: CallContext<T>): void {
    const circuit = this.#circuit;
    const before = circuit.status;
    if (circuit.admit(ctx)) {
      // Turning half-open is an event, and its listeners may have taken long: read the clock again.
      if (circuit.status !== before) ctx.now = ctx.host.clock.now();
      this.inner.run(ctx);
    } else {
      // A refused call sends nothing: it must not earn hedges for when the service is back.
      this.#hedges.budget?.forgetCall(ctx.now);
      this.outer.done(ctx, noAttempt(new CircuitOpenError(ctx.host.options.name), 'circuit open'));
    }
  }
}
