import type { IBreaker } from 'cockatiel';
import type { AttemptResult } from '../call/context.js';
import type { HealthOutcome } from '../config/options.js';
import type { LiveEndpoint } from '../endpoints/endpoint.js';
import { PluginError } from '../errors.js';

/** Where an endpoint stands: taking calls, ejected, or back on probation after an ejection. */
export type HealthStatus = 'healthy' | 'ejected' | 'probing';

/**
 * One endpoint's passive health (docs/architecture.md, "Endpoint health"): its breaker, which
 * decides from outcomes when to eject it, and the ejection bookkeeping. Owned by the
 * {@link HealthTracker}; dropped with the endpoint when discovery removes it.
 */
export class EndpointHealth {
  status: HealthStatus = 'healthy';
  /**
   * Ejections so far: they lengthen the next one. Forgotten after a stable period (see
   * {@link ejectionsAt}, which gives the figure that counts).
   */
  ejections = 0;
  /** When its ejection began (to time it again when live configuration changes the ejection times). */
  ejectedAt = 0;
  /** When the current ejection ends and probing starts, on the client's clock. */
  until = 0;
  /** When the endpoint last became healthy. */
  healthySince: number;
  /** Probe attempts running now. */
  probes = 0;
  /** Its routing level (priority and zone failover) while calls are spread over several, else -1 (see health/routing.ts). */
  level = -1;
  /** When its slow-start ramp began (added late, or re-admitted); -Infinity when it is not ramping. */
  rampStart: number = -Infinity;
  /** Attempts that succeeded and failed in the current outlier-detection interval. */
  intervalOk = 0;
  intervalFailed = 0;
  /** Whether active checks judge it (with `health.checks`, and a check that applies to its scheme); otherwise real calls probe it. */
  checked = false;
  /** Whether active checks ejected it (then passing them re-admits it before its ejection is over). */
  ejectedByChecks = false;
  /** Active checks in a row that passed, and that failed. */
  checksPassed = 0;
  checksFailed = 0;
  /** Until when the endpoint asked to be left alone (Retry-After), on the client's clock; 0 when it did not. */
  avoidUntil = 0;
  breaker: IBreaker;

  constructor(breaker: IBreaker, now: number) {
    this.breaker = breaker;
    this.healthySince = now;
  }

  /**
   * Ejections since its last stable period, at `now`: 0 once it has been healthy for as long as
   * the longest ejection (`maxEjectionTime`).
   */
  ejectionsAt(now: number, maxEjectionTime: number): number {
    return this.status === 'healthy' && now - this.healthySince >= maxEjectionTime ? 0 : this.ejections;
  }
}

/**
 * Whether an attempt's outcome counts against its endpoint: its verdict, unless the user's
 * `health.isFailure` says otherwise. A rule that throws, or answers anything but a boolean (a
 * promise: an async rule cannot be waited for), is a bug of the user's: a `PluginError`
 * naming `health.isFailure`, which fails the call it was judging, as a breaker's throw does.
 */
export function countsAsFailure(rule: ((outcome: HealthOutcome) => boolean) | undefined, e: LiveEndpoint, result: AttemptResult<unknown>, service: string): boolean {
  if (rule === undefined || result.verdict === 'cancelled') return result.verdict !== 'success';
  const outcome = result.outcome;
  let failed: unknown;
  try {
    failed = rule({ endpoint: e, verdict: result.verdict, reason: result.reason, status: result.status, error: outcome.ok ? undefined : outcome.error });
  } catch (err) {
    throw new PluginError(service, 'health.isFailure', 'threw', { cause: err });
  }
  if (typeof failed === 'boolean') return failed;
  // Its rejection must not go unhandled.
  if (failed instanceof Promise) failed.catch(() => {});
  throw new PluginError(service, 'health.isFailure', `returned ${failed instanceof Promise ? 'a promise' : typeof failed}, not a boolean`);
}
