import type { ResolvedHealth } from '../config/resolved.js';
import type { LiveEndpoint } from '../endpoints/endpoint.js';
import type { EndpointHealth } from './endpoint-health.js';

// The ejection rules of passive health (docs/architecture.md, "Endpoint health"), as Envoy's
// outlier detection has them: how long an ejection lasts, how many endpoints may be out at
// once, and when ejections and Retry-After pauses are over. The tracker applies them.

/**
 * Starts an ejection of `h` at `now` and returns how long it lasts: `ejectionTime` × the
 * ejections so far, at most `maxEjectionTime`. A stable period as long as the longest ejection
 * forgets earlier ejections (`h.ejectionsAt`).
 */
export function startEjection(h: EndpointHealth, now: number, options: Pick<ResolvedHealth, 'ejectionTime' | 'maxEjectionTime'>): number {
  h.ejections = h.ejectionsAt(now, options.maxEjectionTime) + 1;
  const duration = Math.min(options.ejectionTime * h.ejections, options.maxEjectionTime);
  h.ejectedAt = now;
  h.until = now + duration;
  h.probes = 0;
  return duration;
}

/**
 * Ejects `h` at `now` until its active checks pass (no end in time, `until` Infinity), counted
 * once as an ejection however long the checks keep failing. Returns `undefined`: no duration.
 */
export function ejectUntilChecksPass(h: EndpointHealth, now: number, maxEjectionTime: number): undefined {
  h.ejections = h.ejectionsAt(now, maxEjectionTime) + 1;
  h.ejectedAt = now;
  h.until = Infinity;
  h.probes = 0;
  return undefined;
}

/**
 * Times the ejections in progress in `pool` again under new `options` (live configuration:
 * health numbers apply at once): each lasts what it would have, had they been in force when
 * it started. Returns when the next ejection or pause ends (at most `next`).
 */
export function retimeEjections(pool: readonly LiveEndpoint[], options: Pick<ResolvedHealth, 'ejectionTime' | 'maxEjectionTime'>, next: number): number {
  for (const e of pool) {
    const h = e.health;
    // One its checks ejected lasts until they pass, whatever the times.
    if (h !== undefined && h.status === 'ejected' && !h.ejectedByChecks) h.until = h.ejectedAt + Math.min(options.ejectionTime * h.ejections, options.maxEjectionTime);
  }
  return nextEnd(pool, next);
}

/**
 * Whether `maxEjectionPercent` of `pool` (at least one endpoint) is already ejected by what real
 * calls judged (its breaker, outlier detection). Only endpoints ejected now count, as in Envoy:
 * a probing one (its ejection over, real calls reach it again) does not, nor does one that failed
 * its active checks (see the tracker's `#eject`).
 */
export function atEjectionLimit(pool: readonly LiveEndpoint[], maxEjectionPercent: number): boolean {
  let out = 0;
  for (const e of pool) if (e.health !== undefined && e.health.status === 'ejected' && !e.health.ejectedByChecks) out++;
  return out >= Math.max(1, Math.floor((pool.length * maxEjectionPercent) / 100));
}

/**
 * When the next Retry-After pause or ejection of `pool` ends (at most `next`): what
 * `nextChangeAt` must cover after the set changed. A pause or ejection already over gives a
 * time ≤ now, so that the next attempt ends it.
 */
export function nextEnd(pool: readonly LiveEndpoint[], next: number): number {
  for (const e of pool) {
    const h = e.health;
    if (h === undefined) continue;
    if (h.avoidUntil !== 0 && h.avoidUntil < next) next = h.avoidUntil;
    if (h.status === 'ejected' && h.until < next) next = h.until;
  }
  return next;
}

/**
 * Ends the Retry-After pauses and ejections of `pool` that are over at `now`: `probe` is called
 * for each endpoint whose ejection ended. Returns when the next one ends (at most `next`) and
 * whether any ended.
 */
export function endExpired(
  pool: readonly LiveEndpoint[], now: number, next: number, probe: (e: LiveEndpoint, h: EndpointHealth) => void,
): { next: number; changed: boolean } {
  let changed = false;
  for (const e of pool) {
    const h = e.health;
    if (h === undefined) continue;
    if (h.avoidUntil !== 0) {
      if (h.avoidUntil <= now) {
        h.avoidUntil = 0;
        changed = true;
      } else if (h.avoidUntil < next) {
        next = h.avoidUntil;
      }
    }
    if (h.status !== 'ejected') continue;
    if (h.until <= now) {
      probe(e, h);
      changed = true;
    } else if (h.until < next) {
      next = h.until;
    }
  }
  return { next, changed };
}
