import { ExponentialBackoff, noJitterGenerator, type IBackoff } from 'cockatiel';
import { SOURCE_BACKOFF } from '../discovery/source-options.js';
import { PluginError } from '../errors.js';

/** How long after a user's plugin first refused (a breaker factory, a picker's `update`) it is asked again; doubling on each refusal (the discovery adapters' backoff, `SOURCE_BACKOFF`). */
export const PLUGIN_RETRY_MS: number = SOURCE_BACKOFF.min;
/** The longest wait between two asks. */
export const PLUGIN_RETRY_MAX_MS: number = SOURCE_BACKOFF.max;

/** cockatiel's exponential backoff, without jitter: 1 s, 2 s, 4 s … 30 s. */
const DELAYS = new ExponentialBackoff({ initialDelay: PLUGIN_RETRY_MS, maxDelay: PLUGIN_RETRY_MAX_MS, generator: noJitterGenerator });

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
  /** The backoff of the refusals in a row so far; undefined after a success. */
  #backoff: IBackoff<unknown> | undefined;

  /** The plugin threw at `now`: ask again after the next delay of the backoff. */
  refused(now: number): void {
    this.#backoff = (this.#backoff ?? DELAYS).next(undefined);
    this.at = now + this.#backoff.duration;
  }

  /** The plugin did its work: nothing waits, and the next refusal waits the first delay again. */
  succeeded(): void {
    this.at = Infinity;
    this.#backoff = undefined;
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
