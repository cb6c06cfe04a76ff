// How ring hash keys become ring positions: a call's key as text, and a custom hash's answer checked.

/**
 * A custom hash's answer for `text` as an unsigned 32-bit integer. Anything but an integer in
 * [-2³¹, 2³²) (a hex digest string, a float in [0, 1), NaN) throws, so the call fails with
 * PluginError: coerced, it would hash every key and endpoint to 0 and send every call to one endpoint.
 */
export function hashed(hash: (text: string) => number, text: string): number {
  const h: unknown = hash(text);
  if (typeof h !== 'number' || !Number.isInteger(h) || h < -2147483648 || h >= 4294967296) {
    throw new TypeError(`ringHash.hash must return a 32-bit integer, got ${typeof h === 'number' ? String(h) : typeof h}`);
  }
  return h >>> 0;
}

/**
 * The text a key is hashed as. JavaScript callers pass numbers and bigints (user ids) where the
 * type says string; hashed as they print, they land where their string does, not all on the
 * endpoint of ''. Any other non-string has no stable text, so it is a call without a key.
 */
export function keyText(key: unknown): string | undefined {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'bigint') return String(key);
  return undefined;
}
