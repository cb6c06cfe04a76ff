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
type Args<H extends Hook> = Parameters<NonNullable<CallObserver[H]>>;

function noop(): void {}

/**
 * The client's observers, with one dispatch function per hook built when the list changes, so
 * a hook nobody implements costs a call to a no-op and one with one observer a direct call.
 */
export class Observers {
  readonly #list: CallObserver[] = [];
  callStarted: (...args: Args<'callStarted'>) => void = noop;
  callEnded: (...args: Args<'callEnded'>) => void = noop;
  attemptStarted: (...args: Args<'attemptStarted'>) => void = noop;
  attemptEnded: (...args: Args<'attemptEnded'>) => void = noop;
  retrying: (...args: Args<'retrying'>) => void = noop;
  budgetExhausted: (...args: Args<'budgetExhausted'>) => void = noop;

  /** Adds an observer; returns how to remove it. */
  add(observer: CallObserver): () => void {
    this.#list.push(observer);
    this.#rebuild();
    return () => {
      const i = this.#list.indexOf(observer);
      if (i >= 0) this.#list.splice(i, 1);
      this.#rebuild();
    };
  }

  #rebuild(): void {
    this.callStarted = this.#fanOut('callStarted');
    this.callEnded = this.#fanOut('callEnded');
    this.attemptStarted = this.#fanOut('attemptStarted');
    this.attemptEnded = this.#fanOut('attemptEnded');
    this.retrying = this.#fanOut('retrying');
    this.budgetExhausted = this.#fanOut('budgetExhausted');
  }

  #fanOut<H extends Hook>(hook: H): (...args: Args<H>) => void {
    type Fn = (p: unknown, q: unknown, r: unknown) => void;
    // A closure calling the method, not a bound function: V8 inlines the method into it.
    const fns: Fn[] = this.#list.filter((o) => typeof o[hook] === 'function').map((o) => {
      const target = o as unknown as Record<H, Fn>;
      return (p: unknown, q: unknown, r: unknown) => target[hook](p, q, r);
    });
    // Fixed arity (hooks take at most three arguments): no rest-array allocation per call.
    let fan: Fn;
    if (fns.length === 0) fan = noop;
    else if (fns.length === 1) fan = fns[0]!;
    else if (fns.length === 2) {
      const [a, b] = fns as [Fn, Fn];
      fan = (p, q, r) => { a(p, q, r); b(p, q, r); };
    } else {
      fan = (p, q, r) => { for (let i = 0; i < fns.length; i++) fns[i]!(p, q, r); };
    }
    return fan as unknown as (...args: Args<H>) => void;
  }
}
