// What every discovery adapter's loop shares (docs/architecture.md, "Discovery adapters"):
// re-trying its source forever with backoff and jitter, a stoppable unref'd sleep, the
// watch/stop wrapper of a refresh loop, and reporting each rejected record once. Its options
// are checked by source-options.ts, registry records are read by records.ts and sets are
// pushed by set-pusher.ts (all re-exported here, so an adapter imports from one place).
import pRetry from 'p-retry';
import type { EndpointInit } from '../endpoints/endpoint.js';
import type { Discovery } from './discovery.js';
import { SOURCE_BACKOFF, type SourceBackoff } from './source-options.js';

export * from './source-options.js';
export * from './records.js';
export * from './set-pusher.js';

/**
 * Runs `fn` until it resolves, re-trying every failure with exponential backoff and jitter,
 * with no attempt limit: a discovery source that is down is tried again until it is back or
 * `signal` aborts (then it rejects with the abort reason at once, even while an attempt is in
 * flight: a request to a registry that never answers must not hold up stop; its late result is
 * ignored). `onError` hears each failure (the adapter reports it as a `discoveryError`). Timers
 * are unref'd: a registry outage never holds the process open.
 *
 * @example
 * const set = await retrySource(() => readRegistry(), signal, (err) => error(err));
 */
export function retrySource<T>(fn: () => Promise<T>, signal: AbortSignal, onError: (error: unknown) => void, backoff: SourceBackoff = SOURCE_BACKOFF): Promise<T> {
  // p-retry gives up at once on a TypeError it does not take for a network error; a source's
  // parse of a garbled answer can throw one, and that is a failed refresh like any other.
  const attempt = async (): Promise<T> => {
    try {
      return await abandonOnAbort(fn(), signal);
    } catch (err) {
      throw err instanceof TypeError ? new WrappedTypeError(err) : err;
    }
  };
  return pRetry(attempt, {
    retries: Infinity,
    minTimeout: backoff.min ?? SOURCE_BACKOFF.min,
    maxTimeout: backoff.max ?? SOURCE_BACKOFF.max,
    factor: 2,
    randomize: true,
    unref: true,
    signal,
    onFailedAttempt: ({ error }) => {
      if (signal.aborted) return;
      try {
        onError(error instanceof WrappedTypeError ? error.cause : error);
      } catch {
        // A listener that throws (a user's `onError` behind the adapter's error callback) must
        // not end the refresh loop: p-retry would give up with its error.
      }
    },
  });
}

/**
 * `promise`, or a rejection with the abort reason as soon as `signal` aborts (p-retry itself
 * waits for the attempt in flight). An abandoned promise's outcome is ignored.
 */
export function abandonOnAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** Carries a TypeError through p-retry, which would not retry it. */
class WrappedTypeError extends Error {
  constructor(cause: TypeError) {
    super(cause.message, { cause });
  }
}

/**
 * Resolves after `ms`, or at once when `signal` aborts (it never rejects). The timer is
 * unref'd, and cleared on abort, so nothing outlives the adapter's stop.
 *
 * @example
 * while (!signal.aborted) { await refresh(); await sleep(30_000, signal); }
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
}

/** What {@link loopDiscovery} hands an adapter's loop: the stop signal and `watch`'s listeners. */
export interface DiscoveryLoop {
  /** Aborted by stop: the loop ends (and its requests are abandoned) then. */
  readonly signal: AbortSignal;
  readonly update: (endpoints: readonly EndpointInit[]) => void;
  readonly error: (err: unknown) => void;
  readonly rejected: (entry: unknown, reason: string) => void;
}

/**
 * A {@link Discovery} whose `watch` runs `run` — the adapter's refresh loop — until stopped:
 * it owns the AbortController whose signal `run` gets, reports a crash of the loop (anything
 * `run` throws while not stopped) through `error`, and its stop function aborts the signal and
 * resolves once `run` has returned. Each `watch` runs a loop of its own.
 *
 * @example
 * return loopDiscovery((loop) => run(settings, loop));
 */
export function loopDiscovery(run: (loop: DiscoveryLoop) => Promise<void>): Discovery {
  return {
    watch(update, error, rejected) {
      const controller = new AbortController();
      const { signal } = controller;
      // A listener that throws (a user's onError behind the adapter's error callback) must not
      // end the loop, whichever of its reports it threw on.
      const report = (err: unknown): void => {
        try {
          error(err);
        } catch {
          // reported; nothing more to do
        }
      };
      const done = (async () => {
        try {
          await run({ signal, update, error: report, rejected });
        } catch (err) {
          if (signal.aborted) return;
          report(err);
        }
      })();
      return () => {
        controller.abort();
        return done;
      };
    },
  };
}

/**
 * Maps each of a source's entries on its own: `map` gives an endpoint, `undefined` for an entry
 * left out on purpose (not healthy, another tag), or why the entry cannot be used; a rejected
 * entry is reported as `describe` shows it (never a whole entry: it may hold secrets). An entry
 * `map` throws on (JSON.parse reads nesting that JSON.stringify cannot walk) is rejected with
 * `unreadable`: one bad entry never ends a refresh loop.
 *
 * @example
 * const { endpoints, rejected } = mapEach(entries, mapEntry, describeEntry, 'entry could not be read (nested too deeply?)');
 */
export function mapEach(
  items: readonly unknown[],
  map: (raw: unknown) => EndpointInit | string | undefined,
  describe: (raw: unknown) => unknown,
  unreadable: string,
): { endpoints: EndpointInit[]; rejected: { entry: unknown; reason: string }[] } {
  const endpoints: EndpointInit[] = [];
  const rejected: { entry: unknown; reason: string }[] = [];
  for (const raw of items) {
    let result: EndpointInit | string | undefined;
    try {
      result = map(raw);
    } catch {
      result = unreadable;
    }
    if (typeof result === 'string') rejected.push({ entry: describe(raw), reason: result });
    else if (result !== undefined) endpoints.push(result);
  }
  return { endpoints, rejected };
}

/** Most rejected records a {@link rejectOnce} remembers across failed refreshes before it forgets the older ones. */
export const MAX_REMEMBERED_REJECTIONS = 10_000;

/** Reports rejections once; see {@link rejectOnce}. */
export interface RejectOnce {
  /**
   * Reports each of `found` that the last answers did not already report. `complete`: `found`
   * is everything a whole answer rejected, so only it is remembered (a record gone from the
   * answer is reported again if it comes back); `false` (a refresh that failed part way) adds
   * to what is remembered, up to {@link MAX_REMEMBERED_REJECTIONS}, past which only `found` is.
   */
  report(found: readonly { readonly entry: unknown; readonly reason: string }[], complete?: boolean): void;
  /** How many rejections are remembered now. */
  readonly size: number;
}

/**
 * Reports a record rejected again on every refresh once, while it stays the same (the same entry
 * and reason) in the answers, and again if it comes back after it was gone or fixed. An entry
 * that cannot be written as JSON is reported every time.
 *
 * @example
 * const rejections = rejectOnce(rejected);
 * rejections.report(mapped.rejected); // each new one reaches `rejected`
 */
export function rejectOnce(rejected: (entry: unknown, reason: string) => void, limit: number = MAX_REMEMBERED_REJECTIONS): RejectOnce {
  let reported = new Set<string>();
  return {
    report(found, complete = true) {
      const keys = new Set<string>();
      for (const { entry, reason } of found) {
        let key: string | undefined;
        try {
          key = `${JSON.stringify(entry)}\n${reason}`;
        } catch {
          key = undefined;
        }
        if (key !== undefined) keys.add(key);
        if (key === undefined || !reported.has(key)) rejected(entry, reason);
      }
      if (complete || reported.size + keys.size > limit) reported = keys;
      else for (const key of keys) reported.add(key);
    },
    get size() {
      return reported.size;
    },
  };
}
