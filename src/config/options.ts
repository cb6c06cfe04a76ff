import { ConfigError } from '../errors.js';
import type { Discovery } from '../discovery/discovery.js';
import type { Endpoint, EndpointInit } from '../endpoints/endpoint.js';
import type { Picker } from '../pickers/picker.js';
import type { RetryBudgetOptions } from '../pipeline/budget.js';

/** Deadlines in milliseconds. */
export interface TimeoutOptions {
  /** One attempt at one endpoint. Default 10 000 (ky's per-attempt default). */
  attempt?: number | undefined;
  /** The whole call, retries and backoff included. Default 30 000. */
  total?: number | undefined;
}

/** How failed attempts are retried; `retry: false` sends each call once. */
export interface RetryOptions {
  /** Attempts in all, the first included. Default 3 (Google SRE book, "Handling Overload"). */
  attempts?: number | undefined;
  /** The retry budget, or `false` for none. Default `{ ratio: 0.2, minPerSecond: 10, window: 10_000 }` (Finagle). */
  budget?: RetryBudgetOptions | false | undefined;
  /** Exponential backoff with decorrelated jitter. Default `{ base: 25, cap: 250 }` ms (Envoy). */
  backoff?: { base?: number | undefined; cap?: number | undefined } | undefined;
}

/** Options of one call, given to `fetch` (in `init`) or `execute`. */
export interface CallOptions {
  /** Cancels the call: it rejects at once with `signal.reason`, and the attempt in flight is aborted. */
  signal?: AbortSignal | null | undefined;
  /** Overrides the client's deadlines for this call. */
  timeout?: TimeoutOptions | undefined;
  /** Whether the call may be sent twice. Default: by HTTP method for `fetch`, `true` for `execute`. */
  idempotent?: boolean | undefined;
  /** Hash key for `ringHash` (e.g. a user id): the same key goes to the same endpoint. */
  key?: string | undefined;
}

/** Options of `createClient`. */
export interface ClientOptions {
  /** The service's name; it appears in events, errors and `stats()`. Required. */
  name: string;
  /** Where endpoints come from: a `Discovery`, or an array as shorthand for `staticDiscovery(array)`. Required. */
  discovery: Discovery | readonly EndpointInit[];
  /** The load balancer. Default `peakEwma()` (Finagle p2cPeakEwma). */
  picker?: Picker | undefined;
  /** Deadlines. Default `{ attempt: 10_000, total: 30_000 }`. */
  timeout?: TimeoutOptions | undefined;
  /** Retries, or `false` to send each call once. Default `{ attempts: 3, budget: { ratio: 0.2, minPerSecond: 10 } }`. */
  retry?: RetryOptions | false | undefined;
  /** The fetch used by `client.fetch`. Default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
}

/** An option set after validation and defaulting: what the hot path reads. */
export interface ResolvedOptions {
  name: string;
  attemptTimeout: number;
  totalTimeout: number;
  attempts: number;
  budget: { ratio: number; minPerSecond: number; window: number } | false;
  backoffBase: number;
  backoffCap: number;
}

/** Exported defaults, so docs and tests name one source. */
export const DEFAULTS: {
  readonly attemptTimeout: 10_000; readonly totalTimeout: 30_000; readonly attempts: 3;
  readonly budgetRatio: 0.2; readonly budgetMinPerSecond: 10; readonly budgetWindow: 10_000;
  readonly backoffBase: 25; readonly backoffCap: 250;
} = {
  attemptTimeout: 10_000, totalTimeout: 30_000, attempts: 3,
  budgetRatio: 0.2, budgetMinPerSecond: 10, budgetWindow: 10_000,
  backoffBase: 25, backoffCap: 250,
};

type Check = (value: unknown) => boolean;
const positiveMs: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 2_147_483_647;
const nonNegativeMs: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 2_147_483_647;
const POSITIVE_MS = 'must be a finite number of ms > 0 (at most 2^31-1)';

/** Reads an optional field, checks it and returns it or the default; throws ConfigError naming `path`. */
function field<T>(service: string, obj: object | undefined, key: string, path: string, check: Check, expected: string, fallback: T): T {
  const value = obj === undefined ? undefined : (obj as Record<string, unknown>)[key];
  if (value === undefined) return fallback;
  if (!check(value)) throw new ConfigError(service, path, expected, value);
  return value as T;
}

function objectOrUndefined(service: string, value: unknown, path: string, allowFalse = false): object | undefined | false {
  if (value === undefined) return undefined;
  if (allowFalse && value === false) return false;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(service, path, allowFalse ? 'must be an object or false' : 'must be an object', value);
  }
  return value;
}

/** Validates the timeout options (client-level or per call) against defaults. */
export function resolveTimeouts(service: string, value: unknown, path: string, attempt: number, total: number): { attempt: number; total: number } {
  const obj = objectOrUndefined(service, value, path) as object | undefined;
  return {
    attempt: field(service, obj, 'attempt', `${path}.attempt`, positiveMs, POSITIVE_MS, attempt),
    total: field(service, obj, 'total', `${path}.total`, positiveMs, POSITIVE_MS, total),
  };
}

/**
 * Validates every client option once and fills in defaults. Discovery and picker are
 * checked by the client itself, which knows what to do with them.
 */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new ConfigError('bulwark', 'options', 'must be an object', options);
  }
  const name: unknown = options.name;
  if (typeof name !== 'string' || name.trim() === '') {
    throw new ConfigError('bulwark', 'name', 'must be a non-empty string', name);
  }
  const timeouts = resolveTimeouts(name, options.timeout, 'timeout', DEFAULTS.attemptTimeout, DEFAULTS.totalTimeout);
  const retry = objectOrUndefined(name, options.retry, 'retry', true);
  let attempts: number = DEFAULTS.attempts;
  let budget: ResolvedOptions['budget'] = false;
  let backoffBase: number = DEFAULTS.backoffBase;
  let backoffCap: number = DEFAULTS.backoffCap;
  if (retry === false) {
    attempts = 1;
  } else {
    attempts = field(name, retry, 'attempts', 'retry.attempts', (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 100, 'must be an integer ≥ 1 (at most 100)', attempts);
    const b = objectOrUndefined(name, (retry as RetryOptions | undefined)?.budget, 'retry.budget', true);
    if (b !== false) {
      budget = {
        ratio: field(name, b, 'ratio', 'retry.budget.ratio', (v) => typeof v === 'number' && v >= 0 && v <= 1000, 'must be a number ≥ 0', DEFAULTS.budgetRatio),
        minPerSecond: field(name, b, 'minPerSecond', 'retry.budget.minPerSecond', (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0, 'must be a finite number ≥ 0', DEFAULTS.budgetMinPerSecond),
        window: field(name, b, 'window', 'retry.budget.window', (v) => positiveMs(v) && (v as number) >= 10, 'must be a finite number of ms ≥ 10', DEFAULTS.budgetWindow),
      };
    }
    const bo = objectOrUndefined(name, (retry as RetryOptions | undefined)?.backoff, 'retry.backoff') as object | undefined;
    backoffBase = field(name, bo, 'base', 'retry.backoff.base', nonNegativeMs, 'must be a finite number of ms ≥ 0', backoffBase);
    backoffCap = field(name, bo, 'cap', 'retry.backoff.cap', nonNegativeMs, 'must be a finite number of ms ≥ 0', Math.max(backoffCap, backoffBase));
    if (backoffCap < backoffBase) throw new ConfigError(name, 'retry.backoff.cap', `must be ≥ retry.backoff.base (${backoffBase})`, backoffCap);
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new ConfigError(name, 'fetch', 'must be a function', options.fetch);
  }
  return { name, attemptTimeout: timeouts.attempt, totalTimeout: timeouts.total, attempts, budget, backoffBase, backoffCap };
}

/** The outcome an `execute` classifier sees. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * What an outcome means: `'success'` (the endpoint did its job; the value is returned or the
 * error rethrown as is), `'failure'` (the endpoint failed; no retry), `'retry'` (the endpoint
 * failed; try another when attempts, budget and deadline allow).
 */
export type Verdict = 'success' | 'failure' | 'retry';

/** What `execute` passes to the function it runs. */
export interface AttemptContext {
  /** Aborted when the attempt times out, the caller aborts, or the client closes. Created on first read. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
}

/** Options of `execute`. */
export interface ExecuteOptions<T> extends CallOptions {
  /** Decides what an outcome means; default: a value succeeds, an error is retried. */
  classify?: ((outcome: Outcome<T>, endpoint: Endpoint) => Verdict) | undefined;
}
