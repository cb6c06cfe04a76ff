// The small checks every option resolver is built from.
import { ConfigError } from '../errors.js';
import { checkKeys } from './keys.js';
import { nestedKeys } from './option-keys.js';

/** A test of one option value. */
export type Check = (value: unknown) => boolean;
/** The longest delay Node's timers keep (2³¹−1 ms): the upper bound of every ms option. */
export const MAX_TIMER_MS = 2_147_483_647;
/** A finite number of ms > 0 that fits a Node timer. */
export const positiveMs: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= MAX_TIMER_MS;
/** A finite number of ms ≥ 0 that fits a Node timer. */
export const nonNegativeMs: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_TIMER_MS;
/** What `positiveMs` expects, for messages. */
export const POSITIVE_MS = "must be a finite number of ms > 0 (at most 2³¹−1, Node's longest timer)";
/** What `nonNegativeMs` expects, for messages. */
export const NON_NEGATIVE_MS = "must be a finite number of ms ≥ 0 (at most 2³¹−1, Node's longest timer)";

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
  const orFalse = allowFalse ? ' or false' : '';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(service, path, `must be an object${orFalse}`, value);
  // A Promise (`retry: loadRetry()`), a Map or a class instance: its own keys, all that is read, would be none.
  if (!isPlain(value)) throw notPlainError(service, path, value, `must be a plain object${orFalse}`);
  checkKeys(service, value, `${path}.`, nestedKeys(path));
  return value;
}

/**
 * Whether `value` is an object literal, `JSON.parse`'s kind of object, or one without a
 * prototype (also from another realm, whose `Object.prototype` is not ours): the only objects
 * whose options are all own keys. A Promise, a Map or a class instance is none.
 */
export function isPlain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** Whether `value` is a Promise or another thenable (what an async loader returns without `await`). */
export function isThenable(value: unknown): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}

/** What an object that is no plain one is, for messages: `Promise`, `Map`, a class's name. */
export function kindOf(value: object): string {
  try {
    if (value instanceof Promise) return 'Promise';
    const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string' && name !== '') return name;
  } catch {
    // A Proxy or a getter that throws: named by what it does, below.
  }
  return isThenable(value) ? 'Promise' : 'object with a prototype';
}

/**
 * The `ConfigError` for `value`, an object that is no plain one, given where a plain object
 * of options is read (at `path`): a Promise is named as a forgotten `await`; its value is
 * shown as its kind only (what it holds is not read).
 */
export function notPlainError(service: string, path: string, value: object, expected = 'must be a plain object', consequence = 'its keys would be read as none, leaving every option at its default'): ConfigError {
  const kind = kindOf(value);
  const why = isThenable(value) ? 'a forgotten await?' : consequence;
  return new ConfigError(service, path, `${expected}, not a ${kind}: ${why}`, `(a ${kind})`);
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
