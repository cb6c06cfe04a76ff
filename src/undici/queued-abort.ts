// undici's hook for taking a request out of a dispatcher's queue (undici 8: `kQueuedAbort`, in
// lib/core/symbols.js). A Pool or Client that queues a request (every connection busy) calls the
// function found under this key in its dispatch options with a function that removes it; a handler
// of the new API otherwise hears of nothing until the request starts (`onRequestStart`), and an
// abort then costs the connection it was given. undici exports no name for the key: it is read
// from undici's own module, and a version without it leaves attempts as they were.
import { createRequire } from 'node:module';

/** The key, or null when this undici has none; undefined until first looked up. */
let key: symbol | null | undefined;

/**
 * undici's queued-abort key, read once from the undici this package resolves (the one the
 * interceptor is composed with, as a peer dependency); `undefined` when it has none.
 *
 * @example
 * const queued = queuedAbortKey();
 * dispatch({ ...opts, ...(queued === undefined ? {} : { [queued]: attempt.queued }) }, attempt);
 */
export function queuedAbortKey(): symbol | undefined {
  if (key === undefined) {
    try {
      const found = (createRequire(import.meta.url)('undici/lib/core/symbols.js') as { kQueuedAbort?: unknown }).kQueuedAbort;
      key = typeof found === 'symbol' ? found : null;
    } catch {
      key = null;
    }
  }
  return key ?? undefined;
}

/**
 * `options` without a caller's own queued-abort hook (a key described `queued abort`): it was
 * given for the caller's request, which the interceptor never queues; an attempt handed it would
 * give the caller's handler the attempt's removal as its abort.
 *
 * @example
 * const own = withoutQueuedAbort(opts);
 */
export function withoutQueuedAbort<T extends object>(options: T): T {
  const symbols = Object.getOwnPropertySymbols(options);
  if (!symbols.some((s) => s.description === 'queued abort')) return options;
  const copy = { ...options } as Record<PropertyKey, unknown>;
  for (const s of symbols) if (s.description === 'queued abort') delete copy[s];
  return copy as T;
}
