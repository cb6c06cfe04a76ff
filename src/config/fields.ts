// The small checks every option resolver is built from.
import { ConfigError } from '../errors.js';
import { checkKeys } from './keys.js';
import { nestedKeys } from './option-keys.js';

/** A test of one option value. */
export type Check = (value: unknown) => boolean;
/** The longest delay Node's timers keep (2^31−1 ms): the upper bound of every ms option. */
export const MAX_TIMER_MS = 2_147_483_647;
/** A finite number of ms > 0 that fits a Node timer. */
export const positiveMs: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= MAX_TIMER_MS;
/** A finite number of ms ≥ 0 that fits a Node timer. */
export const nonNegativeMs: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_TIMER_MS;
/** What `positiveMs` expects, for messages. */
export const POSITIVE_MS = 'must be a finite number of ms > 0 (at most 2^31-1)';

/** Reads an optional field, checks it and returns it or the default; throws ConfigError naming `path`. */
export function field<T>(service: string, obj: object | undefined, key: string, path: string, check: Check, expected: string, fallback: T): T {
  const value = obj === undefined ? undefined : (obj as Record<string, unknown>)[key];
  if (value === undefined) return fallback;
  if (!check(value)) throw new ConfigError(service, path, expected, value);
  return value as T;
}

/**
 * The nested option object at `path` (`'retry'`, `'health.checks'`, …), `undefined` when not
 * given, or `false` when `allowFalse` and given so. Throws `ConfigError` for anything else, and
 * for a key the object at `path` does not have (naming it, with a near key as a suggestion).
 */
export function optionObject(service: string, value: unknown, path: string, allowFalse = false): object | undefined | false {
  if (value === undefined) return undefined;
  if (allowFalse && value === false) return false;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(service, path, allowFalse ? 'must be an object or false' : 'must be an object', value);
  }
  checkKeys(service, value, `${path}.`, nestedKeys(path));
  return value;
}

/**
 * `base` with `over`'s members laid on it, a member set to `undefined` counting as absent (as
 * fetch reads an init, and as live options read a key): the base's value stays.
 *
 * @example
 * layDefined({ method: 'POST', headers }, { method: undefined, cache: 'no-store' }); // → { method: 'POST', headers, cache: 'no-store' }
 */
export function layDefined<T extends object>(base: T, over: object): T {
  const laid = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(over)) if (value !== undefined) laid[key] = value;
  return laid as T;
}
