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
  /** undici's older API (Node 22's and 24's fetch): the raw headers, a flat list of names and values. */
  onHeaders?: (status: number, rawHeaders: unknown, resume: unknown, statusText: unknown) => unknown;
  /** The newer one: the headers as an object of lower-case names. */
  onResponseStart?: (controller: unknown, status: number, headers: unknown, statusText: unknown) => unknown;
};

/** The statuses fetch follows (with `redirect: 'follow'`) when the response has a `Location`. */
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

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

/**
 * See {@link cancellingDispatcher}. It also keeps what fetch's hops met — which hop got a
 * response head last, its status and headers, and the origin of the hop dispatched last — so
 * that a failure after the endpoint answered (a redirect's target down, a redirect fetch will
 * not follow with a stream body) is told from one that sent nothing, without reading fetch's
 * error messages.
 */
export class CancellingDispatcher {
  readonly #base: DispatcherLike;
  #abort: AbortFn | undefined;
  #reason: { value: unknown } | undefined;
  #hops = 0;
  /** The origin of the hop dispatched last, as fetch gave it (a string, or a URL). */
  #origin: unknown;
  /** The hop that got the last response head (0: none did), its status and, for a 3xx, its headers as undici gave them. */
  #headHop = 0;
  #status = 0;
  #headers: unknown;

  /**
   * Whether a hop got a response head: fetch failed after the endpoint had the request (it
   * followed a redirect, or refused to), so the failure is no proof that nothing was sent.
   */
  get answered(): boolean {
    return this.#headHop > 0;
  }

  /**
   * The status of a redirect fetch did not get to send (no hop went out after it: fetch refused
   * it, or its target's port): 301, 302, 307 or 308 with a `Location`; otherwise 0. A 303 is
   * left out: fetch follows it with a GET and no body, so a stream body is no reason to refuse it.
   */
  get unsentRedirect(): number {
    const status = this.#status;
    if (this.#headHop !== this.#hops || status === 303 || !REDIRECTS.has(status)) return 0;
    return locationOf(this.#headers) === undefined ? 0 : status;
  }

  /**
   * The origin a failure after a redirect happened at: the hop dispatched after the last head,
   * else (fetch refused to send it: a bad port) the last head's `Location`. `undefined` when no
   * redirect was followed or its target cannot be told.
   */
  get redirectTarget(): string | undefined {
    if (this.#headHop === 0) return undefined;
    try {
      const base = String(this.#origin);
      if (this.#hops > this.#headHop) return new URL(base).origin;
      const location = REDIRECTS.has(this.#status) ? locationOf(this.#headers) : undefined;
      return location === undefined ? undefined : new URL(location, base).origin;
    } catch {
      return undefined;
    }
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

  #head(status: number, headers: unknown): void {
    this.#headHop = this.#hops;
    this.#status = status;
    // Only a redirect's headers are ever read (its Location): no other response's are held.
    this.#headers = status >= 300 && status < 400 ? headers : undefined;
  }

  dispatch(options: unknown, handler: Hooked): boolean {
    this.#hops++;
    this.#origin = (options as { origin?: unknown } | null)?.origin;
    const started = this.#started;
    // The hooks below run with undici's `this`: the dispatcher is reached through `self`, no closure of its own per attempt.
    const self = this;
    // Node's fetch passes handlers of undici's older API (onConnect, onHeaders); newer undici's take onRequestStart, onResponseStart.
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
    const onResponseStart = handler.onResponseStart;
    const onHeaders = handler.onHeaders;
    if (typeof onResponseStart === 'function') {
      handler.onResponseStart = function (this: unknown, controller, status, headers, statusText) {
        self.#head(status, headers);
        return onResponseStart.call(this, controller, status, headers, statusText);
      };
    } else if (typeof onHeaders === 'function') {
      handler.onHeaders = function (this: unknown, status, rawHeaders, resume, statusText) {
        self.#head(status, rawHeaders);
        return onHeaders.call(this, status, rawHeaders, resume, statusText);
      };
    }
    return this.#base.dispatch(options, handler);
  }
}

/**
 * A response head's `Location`: from undici's flat list of raw names and values (older API) or
 * its object of lower-case names (newer). Read only once an attempt failed; never throws.
 */
function locationOf(headers: unknown): string | undefined {
  try {
    if (Array.isArray(headers)) {
      for (let i = 0; i + 1 < headers.length; i += 2) {
        if (String(headers[i]).toLowerCase() === 'location') return String(headers[i + 1]);
      }
      return undefined;
    }
    if (headers === null || typeof headers !== 'object') return undefined;
    const value: unknown = (headers as Record<string, unknown>)['location'];
    if (Array.isArray(value)) return value.length > 0 ? String(value[0]) : undefined;
    return value === undefined || value === null ? undefined : String(value);
  } catch {
    return undefined;
  }
}
