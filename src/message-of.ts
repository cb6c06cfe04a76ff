/**
 * What to say about a thrown value in an error message: an Error's `message`, or the value as a
 * string. It never throws itself: a value `String()` cannot convert (an object without a
 * prototype, one whose `toString` throws, a `message` getter that throws), as a plugin of the
 * user's may throw, is named by its type, so reporting it cannot fail in turn.
 *
 * @example
 * throw new EtcdError(prefix, `etcd discovery of prefix "${prefix}": ${messageOf(err)}`, { cause: err });
 */
export function messageOf(err: unknown): string {
  try {
    return err instanceof Error ? String(err.message) : String(err);
  } catch {
    return `a thrown ${err === null ? 'null' : typeof err} that cannot be shown as text`;
  }
}
