import type { Outcome } from '../config/options.js';
import type { LiveEndpoint } from '../endpoints/endpoint.js';
import { NoEndpointsError, PluginError, TimeoutError } from '../errors.js';
import type { AttemptHandle, Judgement, Transport } from '../transports/transport.js';
import type { AttemptResult, CallContext } from './context.js';
import { attemptDeadline, timeoutScope } from './deadline.js';

/** Where an attempt reports how it ended: the stage above the attempt stage. */
export interface AttemptSink {
  done<T>(ctx: CallContext<T>, result: AttemptResult<T>): void;
}

/**
 * One try of a call at one endpoint. It is what the transport sees (`attempt`, a lazily
 * created `signal`) and it ends exactly once — with a value, an error, its deadline, or a
 * cancellation — whereupon it is judged, shown to the observers, and reported to `sink`.
 */
export class Attempt<T> implements AttemptHandle {
  /** 1-based number within its call. */
  readonly attempt: number;
  readonly ctx: CallContext<T>;
  readonly endpoint: LiveEndpoint;
  startedAt: number;
  /** For a hedge (only read then), when its budget token was taken (neither a health refresh nor `startAgainAt` moves it). */
  readonly grantedAt: number;
  /** When this attempt times out: its own timeout, cut short by the call's deadline. */
  deadline: number;
  /** Whether the hedge stage sent it while an earlier attempt was still running. */
  readonly hedge: boolean;
  ended = false;
  /** Milliseconds from start to end; set when it ends. */
  latency = 0;
  readonly #sink: AttemptSink;
  #controller: AbortController | undefined;
  #onCancel: ((reason: unknown) => void) | undefined;
  /** Why the attempt was cut short, kept for a first read of `signal` after that. */
  #cutShort: unknown;

  constructor(sink: AttemptSink, ctx: CallContext<T>, endpoint: LiveEndpoint, now: number, hedge: boolean) {
    this.#sink = sink;
    this.ctx = ctx;
    this.endpoint = endpoint;
    this.attempt = ++ctx.attempts;
    this.startedAt = now;
    this.grantedAt = ctx.hedgeGrantedAt;
    this.deadline = attemptDeadline(ctx, now);
    this.hedge = hedge;
  }

  /**
   * Moves the start of an attempt not yet sent to `now` (its `hedge` event's listeners took
   * long): its timeout and latency count from when it is really sent.
   */
  startAgainAt(now: number): void {
    this.startedAt = now;
    this.deadline = attemptDeadline(this.ctx, now);
  }

  get input(): unknown {
    return this.ctx.input;
  }

  get signal(): AbortSignal {
    // Read after the attempt ended (a late read in user code): it is over, so say so, with why
    // it was cut short when it was (timeout, caller's abort, close, a lost hedge); an attempt
    // that ended with its own answer was not cut short, and nothing timed out.
    if (this.ended) return this.#controller?.signal ?? AbortSignal.abort(this.#cutShort ?? new DOMException('the attempt already ended', 'AbortError'));
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  remaining(): number {
    return Math.max(0, this.deadline - this.ctx.host.clock.now());
  }

  onCancel(cancel: (reason: unknown) => void): void {
    this.#onCancel = cancel;
  }

  /**
   * Holds the endpoint for work that outlives the attempt (an established stream): one more in
   * its `inflight` until the returned release, which counts once. A method, not a field: an
   * attempt that holds nothing (every `execute`) pays nothing for it.
   */
  hold(): () => void {
    const endpoint = this.endpoint;
    endpoint.inflight++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      endpoint.inflight--;
    };
  }

  /** The transport's promise settled with a value. */
  readonly onValue = (value: T): void => {
    if (this.ended) discardQuietly(this.ctx.transport, value);
    else this.#end({ ok: true, value }, undefined, this.ctx.host.clock.now());
  };

  /** The transport's promise rejected, or `run` threw. */
  readonly onError = (error: unknown): void => {
    if (!this.ended) this.#end({ ok: false, error }, undefined, this.ctx.host.clock.now());
  };

  /** The deadline passed: abort the work (the server sees the request go away) and judge the timeout. */
  timeOut(now: number): void {
    if (this.ended) return;
    // Ended before the abort reaches anyone: a listener of the signal that aborts the call or
    // closes the client then finds it ended, and does not end it a second time.
    this.ended = true;
    const ctx = this.ctx;
    const scope = timeoutScope(ctx, this.deadline, now);
    const error = new TimeoutError(ctx.host.options.name, scope, scope === 'total' ? ctx.totalTimeout : ctx.attemptTimeout, `attempt ${this.attempt} to ${this.endpoint.id}`);
    this.#abort(error);
    this.#end({ ok: false, error }, undefined, now);
  }

  /**
   * The call's deadline passed before the attempt was sent (the user's code that runs as it
   * starts, a picker or a 'hedge' listener, took that long): it ends unjudged, as `NOT_SENT`,
   * so it counts neither against its endpoint nor as its latency.
   */
  expireUnsent(now: number): void {
    if (this.ended) return;
    this.ended = true;
    const ctx = this.ctx;
    const error = new TimeoutError(ctx.host.options.name, 'total', ctx.totalTimeout, `attempt ${this.attempt} to ${this.endpoint.id} not sent`);
    this.#abort(error);
    this.#end({ ok: false, error }, NOT_SENT, now);
  }

  /**
   * Discovery removed the endpoint, or a change left it out of this client's subset, before the
   * attempt was sent (a listener of the user's that ran as it started, of the `hedge` event or
   * of a health event, changed the set): it is not
   * sent, and ends as one that reached no server does, retried on another endpoint (or its
   * hedge's place given to the next one) without the retry budget; the removed endpoint's
   * connections are not opened again.
   */
  endpointRemoved(now: number): void {
    if (this.ended) return;
    this.ended = true;
    const error = new NoEndpointsError(this.ctx.host.options.name, { detail: `${this.endpoint.id} ${this.endpoint.retired ? 'was removed' : "left this client's subset"} before attempt ${this.attempt} was sent to it` });
    this.#abort(error);
    this.#end({ ok: false, error }, ENDPOINT_REMOVED, now);
  }

  /** Ends the attempt without judging it: the caller aborted, the client closed, or a hedge won. */
  cancel(error: unknown, reason: string): void {
    if (this.ended) return;
    // Read before anything ends: a clock of the user's that throws (the reason a call may be
    // cancelled: `clockFailed`) must not leave the attempt marked ended but never reported.
    const now = readOr(this.ctx);
    this.ended = true; // before the abort's listeners run, as in timeOut
    this.#abort(error);
    this.#end({ ok: false, error }, reason, now);
  }

  #abort(reason: unknown): void {
    if (this.#controller === undefined) this.#cutShort = reason;
    else this.#controller.abort(reason);
    const cancel = this.#onCancel;
    if (cancel === undefined) return;
    this.#onCancel = undefined;
    try {
      cancel(reason);
    } catch {
      // A transport's cancel hook must not stop the attempt from ending.
    }
  }

  #end(outcome: Outcome<T>, cancelled: string | undefined, now: number): void {
    this.ended = true;
    const ctx = this.ctx;
    ctx.removeLive(this);
    this.latency = now - this.startedAt;
    ctx.now = now;
    let result: AttemptResult<T> = cancelled === undefined ? judged(this, outcome) : unjudged(this, outcome, cancelled);
    const fault = ctx.host.observers.attemptEnded(this, result);
    if (fault !== undefined) result = observerFailed(this, result, fault);
    if (ctx.ended) {
      if (result.outcome.ok) discardQuietly(ctx.transport, result.outcome.value);
    } else {
      this.#sink.done(ctx, result);
    }
  }
}

/** The clock's time, or the call's last reading when the clock throws (a clock of the user's that failed). */
function readOr<T>(ctx: CallContext<T>): number {
  try {
    return ctx.host.clock.now();
  } catch {
    return ctx.now;
  }
}

/** The reason of an attempt that ended unsent because the call's deadline passed first. */
export const NOT_SENT = 'not sent (call timeout)';

/** The reason of an attempt another attempt of its call beat (a hedge round's loser). */
export const HEDGE_LOST_REASON = 'hedge lost';

/** What a losing attempt's signal is aborted with: another attempt of the call answered first. */
export const HEDGE_LOST: DOMException = new DOMException('another attempt of this call answered first (hedging)', 'AbortError');

/**
 * The same, for the attempt that opened its round and was beaten by a hedge's *success*, sent
 * after a hedge delay of more than 0: it had that delay as a head start and was still slower.
 * Health judges a probe beaten so as failed (health/outcome.ts).
 */
export const BEATEN_BY_HEDGE: DOMException = new DOMException('another attempt of this call answered first (hedging)', 'AbortError');

/** The reason of an attempt that ended unsent because discovery removed its endpoint first. */
export const ENDPOINT_REMOVED = 'not sent (endpoint removed)';

/** The result of an attempt ended without a verdict of its transport, for `reason`. */
function unjudged<T>(attempt: Attempt<T>, outcome: Outcome<T>, reason: string): AttemptResult<T> {
  if (reason === ENDPOINT_REMOVED) return { attempt, outcome, verdict: 'retry', reason, notSent: true };
  return { attempt, outcome, verdict: 'cancelled', reason, notSent: reason === NOT_SENT ? true : undefined };
}

/** The attempt's result as its transport judges it. */
function judged<T>(attempt: Attempt<T>, outcome: Outcome<T>): AttemptResult<T> {
  let j: Judgement;
  try {
    j = attempt.ctx.transport.judge(outcome, attempt.endpoint);
  } catch (err) {
    return judgeFailed(attempt, outcome, err);
  }
  // An invalid request (the caller's to fix) ends like a cancelled attempt: not retried, nothing against the endpoint.
  return { attempt, outcome, verdict: j.invalid === true ? 'cancelled' : j.verdict, reason: j.reason, status: j.status, retryAfter: j.retryAfter, notSent: j.notSent, noRetry: j.noRetry };
}

/**
 * A plugin behind an observer threw while the attempt was recorded (a user's breaker, or a
 * picker's `update` when health changed the candidates, as a `PluginError`): the call fails
 * with it rather than being left half-recorded, and nothing more is sent.
 */
function observerFailed<T>(attempt: Attempt<T>, result: AttemptResult<T>, fault: unknown): AttemptResult<T> {
  if (result.outcome.ok) discardQuietly(attempt.ctx.transport, result.outcome.value);
  return { attempt, outcome: { ok: false, error: fault }, verdict: 'failure', reason: 'plugin failed' };
}

/**
 * The judgement threw. A plugin of the user's that misbehaved (a `classify` that threw or
 * answered nonsense, a `fetch` function that resolved with no Response) throws a `PluginError`:
 * the call fails with it, clearly, and nothing more is sent. Either way the attempt ends unjudged
 * (`'cancelled'`): the endpoint answered, and nothing says how well, so nothing counts against it
 * (the books, health, the circuit). Anything else is the transport's own fault, no plugin's.
 */
function judgeFailed<T>(attempt: Attempt<T>, outcome: Outcome<T>, err: unknown): AttemptResult<T> {
  if (outcome.ok) discardQuietly(attempt.ctx.transport, outcome.value);
  if (err instanceof PluginError) return { attempt, outcome: { ok: false, error: err }, verdict: 'cancelled', reason: err.plugin === 'classify' ? 'classify failed' : `${err.plugin} option failed` };
  return { attempt, outcome: { ok: false, error: err }, verdict: 'cancelled', reason: 'judge failed' };
}

/** Releases a value no one will get; a `discard` that throws must not keep the attempt from ending and reporting. */
function discardQuietly<T>(transport: Transport<T>, value: T): void {
  try {
    transport.discard?.(value);
  } catch {
    // Nothing more to release.
  }
}
