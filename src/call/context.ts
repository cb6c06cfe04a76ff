import type { IBackoff } from 'cockatiel';
import type { Outcome, Verdict } from '../config/options.js';
import type { ResolvedHedge } from '../config/resolved.js';
import type { LiveEndpoint } from '../endpoints/endpoint.js';
import { PluginError } from '../errors.js';
import { messageOf } from '../message-of.js';
import type { PickRequest } from '../pickers/picker.js';
import type { Transport } from '../transports/transport.js';
import type { Attempt } from './attempt.js';
import { unwatchSignal, watchSignal } from './caller-signal.js';
import type { WheelEntry } from './deadline-wheel.js';
import type { CallHost } from './host.js';

/** How one attempt (or the absence of one) ended, as stages pass it outward. */
export interface AttemptResult<T> {
  /** The attempt, or `undefined` when none could start (no endpoint, deadline passed, interrupted). */
  readonly attempt: Attempt<T> | undefined;
  readonly outcome: Outcome<T>;
  /** `'cancelled'`: ended by the caller's abort, `close()`, or a hedge that won. */
  readonly verdict: Verdict | 'cancelled';
  readonly reason: string;
  readonly status?: number | undefined;
  readonly retryAfter?: number | undefined;
  /** The attempt never reached a server; see `Judgement.notSent`. */
  readonly notSent?: boolean | undefined;
  /** The value is a response an attempt brought that did not end the call's round (kept by the retry or hedge stage). */
  readonly keptValue?: boolean | undefined;
  /** The server asked that the call not be tried again; see `Judgement.noRetry`. */
  readonly noRetry?: boolean | undefined;
}

/**
 * A wait a stage set on the call (a backoff sleep, a hedge delay, the wait for endpoints). When
 * it is due is kept on the call (`timerAt`), so a stage can be its own timer for every call and
 * a call allocates nothing to wait.
 */
export interface CallTimer {
  /** Due: `now` has reached the call's `timerAt`. */
  fire<T>(ctx: CallContext<T>, now: number): void;
  /** The call was interrupted while waiting. */
  cancel<T>(ctx: CallContext<T>, error: unknown): void;
}

/**
 * Where a hedged call's current round is (the hedge stage's state, kept on the call): none (not
 * hedged, or between rounds), open (its attempts run; the first final answer ends it), reached
 * (open, and an attempt of it that ended had reached a server: a retry after the round pays the
 * budget even if its last attempt was not sent), or settled (the losers still being cancelled
 * meet this and are dropped).
 */
export type Round = 'none' | 'open' | 'reached' | 'settled';

/** Per-call settings, resolved from the client's options and the call's own. */
export interface CallSettings {
  readonly key: string | undefined;
  readonly signal: AbortSignal | undefined;
  readonly attemptTimeout: number;
  readonly totalTimeout: number;
  readonly hedge: ResolvedHedge | undefined;
  /**
   * When the call began, if that was before the pipeline started it (a `fetch` that read its
   * Request's body first): its total timeout counts from then. `undefined`: from the start.
   */
  readonly startedAt: number | undefined;
}

const NOTHING_TRIED: readonly LiveEndpoint[] = Object.freeze([]);

/**
 * Everything about one call that the stages, the picker and the transport read
 * (docs/architecture.md, "The call context"): its deadline, key, caller signal, attempts so
 * far and the endpoints they went to. It is also the call's entry in the deadline wheel: it
 * wakes when an attempt's deadline, a stage's timer or the total deadline is due.
 */
export class CallContext<T> implements PickRequest, WheelEntry {
  readonly id: number;
  readonly host: CallHost;
  readonly transport: Transport<T>;
  /** What the call was started with, for a transport that serves many calls (execute's `fn`). */
  readonly input: unknown;
  readonly key: string | undefined;
  readonly signal: AbortSignal | undefined;
  readonly attemptTimeout: number;
  readonly totalTimeout: number;
  readonly hedge: ResolvedHedge | undefined;
  readonly maxAttempts: number;
  /** When the call began (its total timeout counts from then). */
  readonly startedAt: number;
  readonly deadline: number;
  /** The latest clock reading, shared by the deadline checks, the budget and the picker. */
  now: number;
  /** Endpoints of earlier attempts, oldest first (the picker avoids them). */
  tried: readonly LiveEndpoint[] = NOTHING_TRIED;
  /** The endpoint of the newest attempt; it joins `tried` when the next attempt is picked. */
  lastEndpoint: LiveEndpoint | undefined;
  /** Attempts started so far, hedges included. */
  attempts = 0;
  /** Attempts running now: usually one, kept in a field so a call allocates no array for it. */
  #first: Attempt<T> | undefined = undefined;
  #more: Attempt<T>[] | undefined = undefined;
  /** How many attempts are running now. */
  liveCount = 0;
  /** Set when the call was interrupted (caller abort, close): no attempt may start after it. */
  interruption: { readonly error: unknown } | undefined;
  ended = false;
  /** Whether the next attempt is a hedge (set by the hedge stage just before it starts one). */
  hedging = false;
  /** When the hedge stage took the budget token of the hedge it is starting (the clock may be read again before it is made). */
  hedgeGrantedAt = 0;
  /** A server asked that the call not be tried again (a negative gRPC pushback): no retry, no more hedges. */
  noRetry = false;
  // Stage state, created only by the stages that need it.
  /** Retry stage: a value a retry passed over, returned if no later attempt gets one. */
  kept: { value: T } | undefined;
  backoff: IBackoff<unknown> | undefined;
  /** Hedge stage: where the current round is. */
  round: Round = 'none';
  /** Hedge stage: a failure of the round that brought a response (a 503), kept in case no attempt does better. */
  roundResponse: AttemptResult<T> | undefined;
  /** The stage timer (one at a time) and when it is due. */
  timer: CallTimer | undefined;
  timerAt: number = Infinity;
  wakeAt: number = Infinity;
  heapIndex = -1;
  queueIndex = -1;
  #resolve: ((value: T) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;

  constructor(host: CallHost, transport: Transport<T>, settings: CallSettings, now: number, input: unknown, attempts: number) {
    this.id = ++host.lastCallId;
    this.host = host;
    this.transport = transport;
    this.input = input;
    this.key = settings.key;
    this.signal = settings.signal;
    this.attemptTimeout = settings.attemptTimeout;
    this.totalTimeout = settings.totalTimeout;
    this.hedge = settings.hedge;
    this.maxAttempts = transport.replayable ? attempts : 1;
    const startedAt = settings.startedAt === undefined ? now : settings.startedAt;
    this.startedAt = startedAt;
    this.now = now;
    this.deadline = startedAt + settings.totalTimeout;
    if (settings.signal !== undefined) watchSignal(settings.signal, this);
  }

  /** Receives the caller's promise's resolvers (once, before the pipeline runs). */
  settleWith(resolve: (value: T) => void, reject: (error: unknown) => void): void {
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** Makes sure the call wakes no later than `at`. */
  wakeBy(at: number): void {
    if (at < this.wakeAt) {
      this.wakeAt = at;
      this.host.wheel.schedule(this);
    }
  }

  /** Sets the stage timer (one at a time), due at `at`; an interrupted call cancels it at once. */
  setTimer(timer: CallTimer, at: number): void {
    if (this.interruption !== undefined) {
      timer.cancel(this, this.interruption.error);
      return;
    }
    this.timer = timer;
    this.timerAt = at;
    this.wakeBy(at);
  }

  /** Called by the wheel: times out attempts whose deadline passed and fires a due timer. */
  wake(now: number): void {
    this.now = now;
    for (const a of this.live()) if (a.deadline <= now) a.timeOut(now);
    const timer = this.timer;
    if (!this.ended && timer !== undefined && this.timerAt <= now) {
      this.timer = undefined;
      timer.fire(this, now);
    }
    if (this.ended) return;
    let next = Infinity;
    for (const a of this.live()) if (a.deadline < next) next = a.deadline;
    if (this.timer !== undefined && this.timerAt < next) next = this.timerAt;
    if (next !== Infinity) this.wakeBy(next);
  }

  /**
   * The client's clock threw (or its `setTimer` returned no Timer) as the wheel timed the calls:
   * this one can no longer be timed, so it ends, with a `PluginError` naming the clock.
   */
  clockFailed(error: unknown): void {
    this.interrupt(new PluginError(this.host.options.name, 'clock', `failed as the call was timed (${messageOf(error)})`, { cause: error }));
  }

  /**
   * The client closed: the call ends with `error`, unless its caller's signal is already
   * aborted (in the same instant, a listener of it closing the client): the caller's reason wins.
   */
  closeWith(error: unknown): void {
    const signal = this.signal;
    this.interrupt(signal !== undefined && signal.aborted ? signal.reason : error);
  }

  /** Ends whatever the call waits for with `error` (caller abort, client close); nothing starts after. */
  interrupt(error: unknown): void {
    if (this.ended || this.interruption !== undefined) return;
    this.interruption = { error };
    for (const a of this.live()) if (!this.ended) a.cancel(error, 'cancelled');
    const timer = this.timer;
    if (!this.ended && timer !== undefined) {
      this.timer = undefined;
      timer.cancel(this, error);
    }
  }

  /** The attempts running now, as a new array (safe to iterate while they end). */
  live(): Attempt<T>[] {
    if (this.#first === undefined) return [];
    return this.#more === undefined ? [this.#first] : [this.#first, ...this.#more];
  }

  /** Records a started attempt as running. */
  addLive(attempt: Attempt<T>): void {
    if (this.#first === undefined) this.#first = attempt;
    else (this.#more ??= []).push(attempt);
    this.liveCount++;
  }

  /** Records an attempt as no longer running. */
  removeLive(attempt: Attempt<T>): void {
    // The usual case, the call's only attempt, kept small enough for V8 to inline.
    if (this.#first === attempt && this.#more === undefined) {
      this.#first = undefined;
      this.liveCount--;
    } else {
      this.#removeOne(attempt);
    }
  }

  /** {@link removeLive} while several attempts run (a hedged call), or of one not running. */
  #removeOne(attempt: Attempt<T>): void {
    const more = this.#more;
    if (this.#first === attempt) {
      this.#first = more === undefined || more.length === 0 ? undefined : more.shift();
    } else {
      const i = more === undefined ? -1 : more.indexOf(attempt);
      if (i < 0) return;
      more!.splice(i, 1);
    }
    this.liveCount--;
  }

  /** Settles the caller's promise with `result`: the outermost stage calls it once. */
  finish(result: AttemptResult<T>): void {
    if (this.ended) return;
    this.ended = true;
    this.timer = undefined;
    const host = this.host;
    host.wheel.remove(this);
    if (this.signal !== undefined) unwatchSignal(this.signal, this);
    if (this.liveCount > 0) this.#cancelLive();
    // Interrupted (a listener aborted the call or closed the client) while a result went up: the
    // caller gets the interruption, so the books see a cancelled call, and a value is released.
    if (this.interruption !== undefined && result.verdict !== 'cancelled') result = this.#cancelledInstead(result);
    const fault = host.observers.callEnded(this, result);
    const outcome = result.outcome;
    if (fault !== undefined && this.interruption === undefined) this.#failed(outcome, fault);
    else if (this.interruption === undefined && outcome.ok) this.#resolve!(outcome.value);
    else this.#reject!(this.#error(outcome));
  }

  #cancelledInstead(result: AttemptResult<T>): AttemptResult<T> {
    if (result.outcome.ok) this.transport.discard?.(result.outcome.value);
    return { attempt: result.attempt, outcome: { ok: false, error: this.interruption!.error }, verdict: 'cancelled', reason: 'cancelled' };
  }

  /** A plugin behind an observer (a user's circuit breaker, as a `PluginError`) threw as the call ended: it fails with that. */
  #failed(outcome: Outcome<T>, fault: unknown): void {
    if (outcome.ok) this.transport.discard?.(outcome.value);
    this.#reject!(fault);
  }

  /** What the caller's promise rejects with. */
  #error(outcome: Outcome<T>): unknown {
    if (this.interruption !== undefined) return this.interruption.error;
    const error = (outcome as { readonly error: unknown }).error;
    return this.transport.failure === undefined ? error : this.transport.failure(error);
  }

  /** A stage that ends the call with attempts still running (none of ours does) must not leak them. */
  #cancelLive(): void {
    for (const a of this.live()) a.cancel(this.interruption?.error, 'cancelled');
  }
}
