// Reading a picker factory's options: each bad one is a ConfigError naming the picker and key.
import { checkKeys, tableKeys, type KeySet } from '../config/keys.js';
import { ConfigError } from '../errors.js';

/**
 * The keys of a picker's options, from its key table (`{ decay: true, … } satisfies
 * Table<PeakEwmaOptions>`): an unknown one is reported as "not an option of `picker`".
 */
export function pickerKeys(picker: string, table: Readonly<Record<string, true>>): KeySet {
  return tableKeys(table, `an option of ${picker}`);
}

/**
 * A factory's options argument as a record; `picker` names it in the error. A key not in `keys`
 * throws ConfigError naming `picker.key` and a near key (a typo must not keep a default).
 */
export function optionsObject(picker: string, options: unknown, keys: KeySet): Readonly<Record<string, unknown>> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError('bulwark', picker, 'must be an object', options);
  }
  checkKeys('bulwark', options, `${picker}.`, keys);
  return options as Record<string, unknown>;
}

/** Reads an optional function-valued option, e.g. `peakEwma.now`. */
export function functionOption<F extends ((...args: never[]) => unknown) | undefined>(
  picker: string, options: Readonly<Record<string, unknown>>, key: string, expected: string, fallback: F,
): F {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'function') throw new ConfigError('bulwark', `${picker}.${key}`, expected, value);
  return value as F;
}
