import type { AttemptHandle } from './transport.js';

/** Where Node's fetch (its bundled undici) keeps the global dispatcher; undici 8's `setGlobalDispatcher` sets it too. */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/** Node's own fetch as the process started with it: the only fetch known to take a `dispatcher`. */
const NODE_FETCH: unknown = (globalThis as { fetch?: unknown }).fetch;

/** What of an undici dispatcher Node's fetch uses. */
interface DispatcherLike {
  dispatch(options: unknown, handler: object): boolean;
}

type AbortFn = (reason?: unknown) => void;
type Hooked = {
  onConnect?: (abort: AbortFn, context?: unknown) => unknown;
  onRequestStart?: (controller: { abort: AbortFn }, context?: unknown) => unknown;
};

/**
 * The dispatcher one fetch attempt goes through when `fetch` is Node's own: it passes the
 * request to the dispatcher fetch would have used (the caller's `init.dispatcher`, else the
 * global one) and keeps the request's abort handle, so that an attempt cut short (timeout, lost
 * hedge, close) is aborted through undici itself — no AbortController, no AbortSignal in the
 * Request (`AbortSignal.any` and its listeners) per attempt, the costliest part of an attempt
 * (docs/architecture.md, "Performance"). `undefined` when this fetch is not Node's or no
 * dispatcher exists yet (before the process's first fetch): the caller uses `attempt.signal`.
 */
export function cancellingDispatcher(fetch: unknown, init: RequestInit, attempt: AttemptHandle): CancellingDispatcher | undefined {
  if (fetch !== NODE_FETCH || fetch === undefined) return undefined;
  const base = ((init as { dispatcher?: DispatcherLike }).dispatcher ?? (globalThis as Record<symbol, DispatcherLike | undefined>)[GLOBAL_DISPATCHER]);
  if (base === undefined || typeof base.dispatch !== 'function') return undefined;
  return new CancellingDispatcher(base, attempt);
}

export class CancellingDispatcher {
  readonly #base: DispatcherLike;
  #abort: AbortFn | undefined;
  #reason: { value: unknown } | undefined;
  #hops = 0;

  /** Whether fetch followed a redirect: an earlier hop of the attempt got a response. */
  get redirected(): boolean {
    return this.#hops > 1;
  }

  /** Whether any hop went out: fetch refuses a bad port before dispatching, so one refused after a hop was a redirect's. */
  get dispatched(): boolean {
    return this.#hops > 0;
  }

  constructor(base: DispatcherLike, attempt: AttemptHandle) {
    this.#base = base;
    attempt.onCancel(this.#cancel);
  }

  readonly #cancel = (reason: unknown): void => {
    this.#reason = { value: reason };
    this.#abort?.(reason);
  };

  readonly #started = (abort: AbortFn): void => {
    // Cut short while it waited for a connection: abort it as soon as undici starts it.
    if (this.#reason !== undefined) abort(this.#reason.value);
    else this.#abort = abort;
  };

  dispatch(options: unknown, handler: Hooked): boolean {
    this.#hops++;
    const started = this.#started;
    // Node's fetch passes handlers of undici's older API (onConnect); newer undici's take onRequestStart.
    const onRequestStart = handler.onRequestStart;
    const onConnect = handler.onConnect;
    if (typeof onRequestStart === 'function') {
      handler.onRequestStart = function (this: unknown, controller, context) {
        started((reason) => controller.abort(reason));
        return onRequestStart.call(this, controller, context);
      };
    } else if (typeof onConnect === 'function') {
      handler.onConnect = function (this: unknown, abort, context) {
        started(abort);
        return onConnect.call(this, abort, context);
      };
    }
    return this.#base.dispatch(options, handler);
  }
}
