// What one attempt's outcome means for its endpoint's health (docs/architecture.md, "Endpoint
// health"): counted for outlier detection, a pause it asked for, and for a probing endpoint its
// re-admission or a new ejection, for a healthy one its breaker's verdict. The tracker applies
// the transitions this returns; the rules live here.
import { CircuitState } from 'cockatiel';
import { BEATEN_BY_HEDGE } from '../call/attempt.js';
import type { ResolvedHealth } from '../config/resolved.js';
import { DEFAULTS } from '../config/defaults.js';
import type { LiveEndpoint } from '../endpoints/endpoint.js';
import type { AnyAttempt, AnyResult } from '../observe/observer.js';
import { pluginFailed } from '../pipeline/kept-response.js';
import { countsAsFailure, type EndpointHealth } from './endpoint-health.js';

/** What the tracker must do after an attempt: nothing more, or give a probe slot back, or a transition. */
export type Judged =
  | { readonly kind: 'unjudged' }
  | {
      readonly kind: 'judged';
      /** The endpoint asked not to be called until then (Retry-After, at most DEFAULTS.maxPause). */
      readonly avoidUntil: number | undefined;
      readonly transition: 'eject' | 'readmit' | undefined;
      readonly reason: string;
      /** When the attempt ended: the time of the transition. */
      readonly at: number;
    };

const UNJUDGED: Judged = Object.freeze({ kind: 'unjudged' });

/**
 * Judges `attempt`'s `result` for endpoint `e` (health `h`, not retired), updating its counts,
 * probe slots and breaker. Cut short (caller abort, close, lost hedge) or failed by a plugin of
 * the user's (a `classify` that threw): `unjudged`, it says nothing about the endpoint. Throws
 * (a `PluginError`) when the user's `isFailure` throws.
 *
 * @example
 * const judged = judgeOutcome(e, h, attempt, result, options, 'users');
 */
export function judgeOutcome(e: LiveEndpoint, h: EndpointHealth, attempt: AnyAttempt, result: AnyResult, options: ResolvedHealth, service: string): Judged {
  if (result.verdict === 'cancelled' || pluginFailed(result)) return lostProbe(h, attempt, result) ?? UNJUDGED;
  const failed = countsAsFailure(options.isFailure, e, result, service);
  const at = attempt.startedAt + attempt.latency;
  if (options.outliers !== undefined) {
    if (failed) h.intervalFailed++;
    else h.intervalOk++;
  }
  // A pause, however long the endpoint asks for, lasts at most DEFAULTS.maxPause.
  const avoidUntil = result.retryAfter !== undefined && result.retryAfter > 0 ? at + Math.min(result.retryAfter, DEFAULTS.maxPause) : undefined;
  let transition: 'eject' | 'readmit' | undefined;
  let reason = '';
  if (h.status === 'probing') {
    // Every attempt started since the ejection ended is a probe; one started before it (with
    // the endpoint healthy, or during panic) says nothing about the endpoint now. Passed checks
    // bring back an endpoint they judge, not a real call (one reaches it only in panic).
    if (attempt.startedAt >= h.until && !h.checked) {
      if (h.probes > 0) h.probes--;
      transition = failed ? 'eject' : 'readmit';
      reason = failed ? `probe failed (${result.reason})` : 'probe succeeded';
    }
  } else if (h.status === 'healthy') {
    // (An attempt that ended after its endpoint was ejected changes nothing.)
    if (!failed) h.breaker.success(CircuitState.Closed);
    else if (h.breaker.failure(CircuitState.Closed)) {
      transition = 'eject';
      reason = `breaker opened (${result.reason})`;
    }
  }
  return { kind: 'judged', avoidUntil, transition, reason, at };
}

/**
 * A probe that opened its round and was beaten by a hedge's success (`BEATEN_BY_HEDGE`): it had
 * the hedge delay as a head start and another endpoint still answered first, so as a probe it
 * failed (too slow). Left unjudged, an endpoint that hangs would stay probing and be probed at
 * the rate of hedged calls for good, never ejected for longer. A probe that was itself the
 * hedge, one that got no head start (a delay of 0) and one whose round a failure ended stay unjudged.
 */
function lostProbe(h: EndpointHealth, attempt: AnyAttempt, result: AnyResult): Judged | undefined {
  if (result.outcome.ok || result.outcome.error !== BEATEN_BY_HEDGE || h.status !== 'probing' || h.checked || attempt.startedAt < h.until) return undefined;
  if (h.probes > 0) h.probes--;
  return { kind: 'judged', avoidUntil: undefined, transition: 'eject', reason: 'probe failed (a hedge answered first)', at: attempt.startedAt + attempt.latency };
}
