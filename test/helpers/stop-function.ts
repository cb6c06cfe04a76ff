// Tests that call an adapter's `watch` themselves and then stop it: the Discovery and
// ConfigSource types let `watch` return any StopHandle (a function or a handle with `close`,
// `unsubscribe`, …), while bulwark's own adapters always return a stop function.
import type { StopHandle } from '../../src/index.js';

/**
 * `returned` as the stop function a built-in adapter's `watch` returns; throws when it is a handle instead.
 *
 * @example
 * const stop = stopFunction(consulDiscovery({ service: 'users' }).watch(update, error, rejected));
 * await stop();
 */
export function stopFunction(returned: StopHandle): () => void | Promise<void> {
  if (typeof returned !== 'function') throw new TypeError('watch returned a handle, not a stop function');
  return returned;
}
