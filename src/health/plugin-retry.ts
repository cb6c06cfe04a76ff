import { SOURCE_BACKOFF } from '../discovery/source-options.js';
import { PluginError } from '../errors.js';

/** How long after a user's plugin first refused (a breaker factory, a picker's `update`) it is asked again; doubling on each refusal (the discovery adapters' backoff, `SOURCE_BACKOFF`). */
export const PLUGIN_RETRY_MS: number = SOURCE_BACKOFF.min;
/** The longest wait between two asks. */
export const PLUGIN_RETRY_MAX_MS: number = SOURCE_BACKOFF.max;

/**
 * When to ask a user's plugin again after it threw outside any one call's doing (the health
 * tracker's breaker factory for an endpoint that joined, the picker's `update` left with stale
 * candidates): 1 s after the first refusal, doubling to 30 s, so a plugin that keeps throwing
 * costs one report now and then, not one per call or `stats()`.
 *
 * @example
 * const again = new PluginRetry();
 * try { make(); again.succeeded(); } catch { again.refused(now); } // then ask when now >= again.at
 */
export class PluginRetry {
  /** When to ask again; Infinity while nothing waits for it. */
  at: number = Infinity;
  #delay = PLUGIN_RETRY_MS;

  /** The plugin threw at `now`: ask again after the current delay, and wait twice as long after the next refusal. */
  refused(now: number): void {
    this.at = now + this.#delay;
    this.#delay = Math.min(this.#delay * 2, PLUGIN_RETRY_MAX_MS);
  }

  /** The plugin did its work: nothing waits, and the next refusal waits the first delay again. */
  succeeded(): void {
    this.at = Infinity;
    this.#delay = PLUGIN_RETRY_MS;
  }
}

/**
 * Runs a change of health that no call made (an active check, a `stats()`, a re-ask): a plugin
 * of the user's (breaker, picker) that throws is passed to `report` (the client emits it as
 * `discoveryError`) and asked again later; anything else is thrown on its own, outside.
 *
 * @example
 * outsideCall(() => tracker.refresh(now), (error) => client.emit('discoveryError', { error }));
 */
export function outsideCall(change: () => void, report: (error: PluginError) => void): void {
  try {
    change();
  } catch (err) {
    if (err instanceof PluginError) report(err);
    else queueMicrotask(() => { throw err; });
  }
}
