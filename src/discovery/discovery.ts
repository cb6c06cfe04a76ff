import type { EndpointInit } from '../endpoints/endpoint.js';
import type { StopHandle } from './stop-of.js';

/**
 * A source of endpoints. A custom adapter is one object with a `watch` method: call `update`
 * with the complete current set each time it changes (the client diffs sets by endpoint id,
 * so an endpoint that stays keeps its state), and `error` when a refresh fails (the client
 * keeps the last good set and emits `discoveryError`). `watch` returns a stop function (the
 * client calls it from `close()` and awaits it when it returns a promise) or the handle it set
 * up, stopped by its `close`, `stop`, `unsubscribe`, … method: a {@link StopHandle}. Entries that fail
 * validation are dropped with an `endpointRejected` event, never thrown into callers. An
 * adapter that drops a record of its source's own format (a non-JSON value, an oversized
 * payload) reports it with `rejected(entry, reason)`: the same event, with secrets removed.
 *
 * @example
 * const fromFile = (path: string): Discovery => ({
 *   watch(update, error) {
 *     const read = () => readFile(path, 'utf8').then((t) => update(JSON.parse(t)), error);
 *     void read();
 *     const timer = setInterval(read, 5_000);
 *     return () => clearInterval(timer);
 *   },
 * });
 */
export interface Discovery {
  watch(
    update: (endpoints: readonly EndpointInit[]) => void,
    error: (err: unknown) => void,
    rejected: (entry: unknown, reason: string) => void,
  ): StopHandle;
}

/** True for anything with a callable `watch`: the shape a discovery adapter must have. */
export function isDiscovery(value: unknown): value is Discovery {
  return typeof value === 'object' && value !== null && typeof (value as { watch?: unknown }).watch === 'function';
}
