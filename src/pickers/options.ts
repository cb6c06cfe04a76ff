// Reading a picker factory's options: each bad one is a ConfigError naming the picker and key.
import { ConfigError } from '../errors.js';

/** A factory's options argument as a record; `picker` names it in the error. */
export function optionsObject(picker: string, options: unknown): Readonly<Record<string, unknown>> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError('bulwark', picker, 'must be an object', options);
  }
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
