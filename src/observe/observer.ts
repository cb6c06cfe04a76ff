import type { Attempt } from '../call/attempt.js';
import type { AttemptResult, CallContext } from '../call/context.js';

// Observers see calls of every value type; `any` here keeps `CallContext<T>` passable whatever T
// is (its callbacks make it invariant in T).
/* eslint-disable @typescript-eslint/no-explicit-any */
/** A call of any value type. */
export type AnyCall = CallContext<any>;
/** An attempt of any value type. */
export type AnyAttempt = Attempt<any>;
/** A result of any value type. */
export type AnyResult = AttemptResult<any>;

/**
 * The seam through which everything that watches calls plugs in (docs/architecture.md,
 * "Observers"): events, `stats()` counters, per-endpoint load and latency, the latency window
 * behind percentile hedge delays — and later endpoint health, OpenTelemetry and
 * diagnostics_channel. Every hook is optional; none may change what the call does.
 */
export interface CallObserver {
  callStarted?(ctx: AnyCall): void;
  /** The call settled with `result` (its value, the kept value, or its error). */
  callEnded?(ctx: AnyCall, result: AnyResult): void;
  attemptStarted?(attempt: AnyAttempt): void;
  /** The attempt ended, judged (or cancelled); `attempt.latency` is set. */
  attemptEnded?(attempt: AnyAttempt, result: AnyResult): void;
  /** The retry stage will start another attempt after `delay` ms. */
  retrying?(ctx: AnyCall, result: AnyResult, delay: number): void;
  /** A retry was wanted but the retry budget had none left. */
  budgetExhausted?(ctx: AnyCall, result: AnyResult): void;
}

type Hook = keyof CallObserver;

/**
 * The client's observers. Each hook walks the observers that implement it, calling the method
 * on the observer itself: every client then runs the same dispatch code on the same few
 * observer classes, which V8 inlines however many clients a process has (a dispatch closure
 * built per client made every call site see one more function per client, and with two
 * clients V8 stopped inlining them: 40–55 % more per call).
 */
export class Observers {
  readonly #list: CallObserver[] = [];
  #callStarted: CallObserver[] = [];
  #callEnded: CallObserver[] = [];
  #attemptStarted: CallObserver[] = [];
  #attemptEnded: CallObserver[] = [];
  #retrying: CallObserver[] = [];
  #budgetExhausted: CallObserver[] = [];

  /**
   * Adds an observer, last or just before `before` (hooks run in list order); returns how to
   * remove it.
   */
  add(observer: CallObserver, before?: CallObserver): () => void {
    const at = before === undefined ? -1 : this.#list.indexOf(before);
    if (at < 0) this.#list.push(observer);
    else this.#list.splice(at, 0, observer);
    this.#rebuild();
    return () => {
      const i = this.#list.indexOf(observer);
      if (i >= 0) this.#list.splice(i, 1);
      this.#rebuild();
    };
  }

  callStarted(ctx: AnyCall): void {
    const list = this.#callStarted;
    for (let i = 0; i < list.length; i++) list[i]!.callStarted!(ctx);
  }

  /**
   * Every observer sees the end of the call, even when one throws (a user's breaker behind the
   * circuit): the first error thrown is returned, for the call to fail with, and the observers
   * after the one that threw see the call failed with it.
   */
  callEnded(ctx: AnyCall, result: AnyResult): unknown {
    const list = this.#callEnded;
    let fault: unknown;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i]!.callEnded!(ctx, result);
      } catch (err) {
        if (fault !== undefined) continue;
        fault = err;
        // The observers after it see the call as it will end: failed with that error, which no
        // attempt gave (a hedge whose answer is dropped did not win the call).
        result = { attempt: undefined, outcome: { ok: false, error: err }, verdict: 'failure', reason: 'plugin failed' };
      }
    }
    return fault;
  }

  attemptStarted(attempt: AnyAttempt): void {
    const list = this.#attemptStarted;
    for (let i = 0; i < list.length; i++) list[i]!.attemptStarted!(attempt);
  }

  /**
   * Every observer sees the end of the attempt, even when one throws (a user's breaker or
   * picker behind endpoint health): the first error thrown is returned, for the call to fail with.
   */
  attemptEnded(attempt: AnyAttempt, result: AnyResult): unknown {
    const list = this.#attemptEnded;
    let fault: unknown;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i]!.attemptEnded!(attempt, result);
      } catch (err) {
        fault ??= err;
      }
    }
    return fault;
  }

  retrying(ctx: AnyCall, result: AnyResult, delay: number): void {
    const list = this.#retrying;
    for (let i = 0; i < list.length; i++) list[i]!.retrying!(ctx, result, delay);
  }

  budgetExhausted(ctx: AnyCall, result: AnyResult): void {
    const list = this.#budgetExhausted;
    for (let i = 0; i < list.length; i++) list[i]!.budgetExhausted!(ctx, result);
  }

  /** Fresh arrays, never mutated afterwards: a hook running while an observer is added or removed walks the list it started with. */
  #rebuild(): void {
    const having = (hook: Hook): CallObserver[] => this.#list.filter((o) => typeof o[hook] === 'function');
    this.#callStarted = having('callStarted');
    this.#callEnded = having('callEnded');
    this.#attemptStarted = having('attemptStarted');
    this.#attemptEnded = having('attemptEnded');
    this.#retrying = having('retrying');
    this.#budgetExhausted = having('budgetExhausted');
  }
}
