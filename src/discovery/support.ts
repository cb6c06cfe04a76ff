// What every discovery adapter shares (docs/architecture.md, "Discovery adapters"): re-trying
// its source forever with backoff and jitter, a stoppable unref'd sleep, and reading the JSON
// records that registries hold without letting a hostile one through.
import pRetry from 'p-retry';
import type { EndpointInit } from '../endpoints/endpoint.js';

/** Backoff for re-trying a discovery source: 1 s doubling to 30 s, jittered ×1–2 (p-retry's `randomize`). */
export interface SourceBackoff {
  /** First delay after a failure, ms; default 1 000. */
  readonly min?: number | undefined;
  /** Longest delay, ms; default 30 000. */
  readonly max?: number | undefined;
}

/** Defaults for {@link SourceBackoff}: gRPC's reconnect backoff (1 s initial, ×1.6 up to 120 s) and Consul's agent loops (capped lower so a recovered registry is seen within 30 s). */
export const SOURCE_BACKOFF: Readonly<Required<SourceBackoff>> = Object.freeze({ min: 1_000, max: 30_000 });

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
      if (!signal.aborted) onError(error instanceof WrappedTypeError ? error.cause : error);
    },
  });
}

/**
 * `promise`, or a rejection with the abort reason as soon as `signal` aborts (p-retry itself
 * waits for the attempt in flight). An abandoned promise's outcome is ignored.
 */
function abandonOnAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
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

/** Largest registry record read, in bytes (UTF-8 length of its text); bigger ones are dropped. */
export const MAX_RECORD_BYTES: number = 64 * 1024;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses a registry record's JSON text, or returns why it cannot be used: too large, not
 * JSON, not an object, or holding a `__proto__`/`constructor`/`prototype` key anywhere.
 *
 * @example
 * const r = parseRecord(value); if (typeof r === 'string') rejected(key, r);
 */
export function parseRecord(text: string | Uint8Array, maxBytes: number = MAX_RECORD_BYTES): Record<string, unknown> | string {
  const size = typeof text === 'string' ? Buffer.byteLength(text) : text.byteLength;
  if (size > maxBytes) return `record is ${size} bytes, over the ${maxBytes}-byte limit`;
  const source = typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8');
  let forbidden: string | undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(source, function (this: unknown, key: string, value: unknown) {
      if (FORBIDDEN_KEYS.has(key)) forbidden ??= key;
      return value;
    });
  } catch {
    return 'record is not JSON';
  }
  if (forbidden !== undefined) return `record holds a forbidden key ${JSON.stringify(forbidden)}`;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'record must be a JSON object';
  return parsed as Record<string, unknown>;
}

/**
 * Reads bulwark's endpoint record format — `{ host, port, protocol?, weight?, priority?, zone?,
 * metadata?, basePath? }` — into an endpoint description, or returns why it cannot. Only
 * those fields are copied; `metadata` keeps string values only. The client validates the
 * result again (host syntax, port range) and rejects it with an event if it fails.
 *
 * @example
 * recordToEndpoint({ host: '10.0.0.1', port: 8080, zone: 'eu-1' }); // { host: '10.0.0.1', port: 8080, zone: 'eu-1' }
 */
export function recordToEndpoint(record: Record<string, unknown>): EndpointInit | string {
  const { host, port, protocol, weight, priority, zone, metadata, basePath } = record;
  if (typeof host !== 'string' || host === '') return 'record needs a "host" string';
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) return 'record needs a "port" from 1 to 65535';
  const init: { -readonly [K in keyof Exclude<EndpointInit, string>]: Exclude<EndpointInit, string>[K] } = { host, port };
  if (protocol !== undefined) {
    if (typeof protocol !== 'string') return '"protocol" must be a string';
    init.protocol = protocol;
  }
  if (weight !== undefined) {
    if (typeof weight !== 'number') return '"weight" must be a number';
    init.weight = weight;
  }
  if (priority !== undefined) {
    if (typeof priority !== 'number') return '"priority" must be a number';
    init.priority = priority;
  }
  if (zone !== undefined) {
    if (typeof zone !== 'string') return '"zone" must be a string';
    init.zone = zone;
  }
  if (basePath !== undefined) {
    if (typeof basePath !== 'string') return '"basePath" must be a string';
    init.basePath = basePath;
  }
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return '"metadata" must be an object of strings';
    const copy: Record<string, string> = {};
    for (const [k, v] of Object.entries(metadata)) if (typeof v === 'string') copy[k] = v;
    init.metadata = copy;
  }
  return init;
}
