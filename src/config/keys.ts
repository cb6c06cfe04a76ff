// Strict option keys: every options object bulwark reads is checked for keys it does not know,
// so a misspelled option fails loudly instead of silently keeping its default.
import { ConfigError } from '../errors.js';
import { redactKey } from '../redact.js';

/** The keys an options object may have, and how an unknown one is reported. */
export interface KeySet {
  /** The keys this object may hold. */
  readonly known: readonly string[];
  /** What the object is, for messages: "an option of `retry`", "a per-call option", … */
  readonly what: string;
  /** Keys that belong somewhere else, with where (for a better message than "unknown"). */
  readonly elsewhere?: Readonly<Record<string, string>> | undefined;
  /** Keys let through without being offered in messages (read by a transport, not by bulwark's core). */
  readonly accepted?: readonly string[] | undefined;
}

/**
 * An options interface's keys as a table, each `true`: typed with `satisfies Table<Options>`, a
 * table that leaves out an option (or lists one the interface lacks) fails to compile.
 */
export type Table<T> = Record<keyof Required<T>, true>;

/**
 * The {@link KeySet} of a key table (`{ decay: true, … } satisfies Table<PeakEwmaOptions>`);
 * `what` names the object in messages ("an option of peakEwma").
 */
export function tableKeys(table: Readonly<Record<string, true>>, what: string): KeySet {
  return { known: Object.freeze(Object.keys(table)), what };
}

/** What an unknown key's value becomes in `ConfigError`: primitives as given, strings and objects hidden (they may hold secrets). */
export function hideValue(value: unknown): unknown {
  return typeof value === 'string' || (typeof value === 'object' && value !== null) ? '(hidden)' : value;
}

/**
 * Throws `ConfigError` for the first own key of `obj` that is not in `keys.known`, naming its
 * full path (`prefix` + key) and suggesting a known key one edit away or differing in case.
 */
export function checkKeys(service: string, obj: object, prefix: string, keys: KeySet): void {
  for (const key of Object.keys(obj)) {
    if (keys.known.includes(key) || keys.accepted?.includes(key) === true) continue;
    throw unknownKey(service, obj, key, prefix, keys);
  }
}

/** Whether an unknown `key` is a known mistake: a key that belongs elsewhere, or a near miss of a known one. */
export function isLikelyMistake(key: string, keys: KeySet): boolean {
  return Object.hasOwn(keys.elsewhere ?? {}, key) || closeKey(key, keys.known) !== undefined;
}

/** The `ConfigError` for `key`, an unknown key of `obj` (at `prefix`): names its path, hides its value. */
export function unknownKey(service: string, obj: object, key: string, prefix: string, keys: KeySet): ConfigError {
  const value = hideValue((obj as Record<string, unknown>)[key]);
  // A key may be a URL with credentials (an endpoint written as a key): named without them.
  const path = `${prefix}${redactKey(key)}`;
  const where = Object.hasOwn(keys.elsewhere ?? {}, key) ? keys.elsewhere![key] : undefined;
  if (where !== undefined) return new ConfigError(service, path, `is not ${keys.what} (${where})`, value);
  const near = closeKey(key, keys.known);
  const hint = near === undefined ? `known: ${keys.known.join(', ')}` : `did you mean \`${prefix}${near}\`?`;
  return new ConfigError(service, path, `is not ${keys.what} (${hint})`, value);
}

/** The first of `candidates` that `key` misses by case or by one edit (insert, delete, replace, swap), if any. */
export function closeKey(key: string, candidates: readonly string[]): string | undefined {
  const k = key.toLowerCase();
  return candidates.find((c) => withinOneEdit(k, c.toLowerCase()));
}

/** Whether `a` and `b` are equal or one insertion, deletion, substitution or swap of neighbours apart. */
function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    const swapped = a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
    return swapped || a.slice(i + 1) === b.slice(i + 1);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
