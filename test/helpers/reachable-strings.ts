// What a logger that serializes an error with its properties could print: every string
// reachable from a value through its own properties (non-enumerable ones and `cause` included).

/**
 * Every string reachable from `value` through own properties, reading at most 500 objects.
 *
 * @example
 * expect(reachableStrings(event.error).join(' ')).not.toContain(TOKEN);
 */
export function reachableStrings(value: unknown, seen = new Set<unknown>(), out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  if (value === null || typeof value !== 'object' || seen.has(value) || seen.size > 500) return out;
  seen.add(value);
  for (const key of Reflect.ownKeys(value)) {
    try {
      reachableStrings((value as Record<string | symbol, unknown>)[key], seen, out);
    } catch {
      // a getter that throws: nothing to read
    }
  }
  return out;
}
