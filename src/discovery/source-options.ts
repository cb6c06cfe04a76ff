// The options every discovery adapter checks alike (docs/architecture.md, "Discovery
// adapters"): its backoff, its ms and byte limits, with one error text for each.
import { checkKeys, tableKeys, type Table } from '../config/keys.js';
import { ConfigError } from '../errors.js';
import { MAX_TIMER_MS } from '../config/fields.js';

/** Backoff for re-trying a discovery source: 1 s doubling to 30 s, jittered ×1–2 (p-retry's `randomize`). */
export interface SourceBackoff {
  /** First delay after a failure, ms; default 1 000. */
  readonly min?: number | undefined;
  /** Longest delay, ms; default 30 000. */
  readonly max?: number | undefined;
}

/** The keys of {@link SourceBackoff}. */
const BACKOFF_KEYS = { min: true, max: true } satisfies Table<SourceBackoff>;

/** A {@link SourceBackoff} with both delays set, as {@link checkSourceBackoff} returns it. */
export interface SourceDelays {
  readonly min: number;
  readonly max: number;
}

/**
 * Defaults for {@link SourceBackoff}: 1 s doubling to 30 s, each delay jittered ×1–2. The start
 * is grpc-js's reconnect backoff (1 s initial, ×1.6 up to 120 s); the cap is lower here so that
 * a registry that has recovered is seen within 30 s.
 */
export const SOURCE_BACKOFF: Readonly<SourceDelays> = Object.freeze({ min: 1_000, max: 30_000 });

/**
 * A number of milliseconds from `min` (default 1) to `max` (default {@link MAX_TIMER_MS}), or
 * `fallback` when `value` is undefined; a ConfigError naming `path` otherwise.
 *
 * @example
 * const interval = checkMs('eurekaDiscovery', 'interval', options.interval, 30_000);
 */
export function checkMs(service: string, path: string, value: unknown, fallback?: number, limits: { readonly min?: number; readonly max?: number } = {}): number {
  const v = value === undefined ? fallback : value;
  const min = limits.min ?? 1;
  const max = limits.max ?? MAX_TIMER_MS;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new ConfigError(service, path, `must be a number of ms from ${min} to ${max}`, value);
  return v;
}

/**
 * A whole number of bytes from 1 to 2^31 (a response size limit), or `fallback` when `value`
 * is undefined; a ConfigError naming `path` otherwise.
 *
 * @example
 * const maxBytes = checkBytes('consulDiscovery', 'maxResponseBytes', options.maxResponseBytes, 32 * 1024 * 1024);
 */
export function checkBytes(service: string, path: string, value: unknown, fallback: number): number {
  const v = value === undefined ? fallback : value;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 2 ** 31) throw new ConfigError(service, path, `must be a whole number of bytes from 1 to ${2 ** 31}`, value);
  return v;
}

/**
 * Checks an adapter's `backoff` option ({@link SourceBackoff}) and fills in its defaults: each
 * delay from 1 ms to {@link MAX_TIMER_MS}, `max` ≥ `min`. A delay left out follows the other one
 * given (`{ max: 500 }` starts at 500 ms, `{ min: 60_000 }` stays at 60 s) and is otherwise
 * {@link SOURCE_BACKOFF}'s. Every adapter uses it, so the error texts are the same everywhere.
 *
 * @example
 * const backoff = checkSourceBackoff('consulDiscovery', options.backoff); // { min: 1000, max: 30000 }
 * @throws ConfigError naming `path` (`backoff`, `backoff.min` or `backoff.max`), or an unknown key of it (`backoff.mn`).
 */
export function checkSourceBackoff(service: string, value: unknown, path = 'backoff'): SourceDelays {
  if (value === undefined) return { ...SOURCE_BACKOFF };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(service, path, 'must be an object { min?, max? } of ms', value);
  checkKeys(service, value, `${path}.`, tableKeys(BACKOFF_KEYS, `an option of \`${path}\``));
  const given = value as SourceBackoff;
  const min = given.min === undefined ? undefined : checkMs(service, `${path}.min`, given.min);
  const max = given.max === undefined ? undefined : checkMs(service, `${path}.max`, given.max);
  const lo = min ?? Math.min(SOURCE_BACKOFF.min, max ?? SOURCE_BACKOFF.min);
  const hi = max ?? Math.max(SOURCE_BACKOFF.max, lo);
  if (hi < lo) throw new ConfigError(service, `${path}.max`, `must be ≥ ${path}.min (${lo})`, hi);
  return { min: lo, max: hi };
}
