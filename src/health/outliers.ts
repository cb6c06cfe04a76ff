import type { ResolvedOutliers } from '../config/resolved.js';
import type { LiveEndpoint } from '../endpoints/endpoint.js';
import type { EndpointHealth } from './endpoint-health.js';

/**
 * How far below the band a success rate must be to count: far less than any real gap between
 * two rates (rates of at most a million attempts each differ by more than 1e-12), far more
 * than the rounding of a mean and a deviation.
 */
const RATE_TOLERANCE = 1e-12;

/**
 * Compares the endpoints on the attempts of the interval just over (Envoy's outlier
 * detection) and resets the interval's counts. Among healthy endpoints with at least
 * `requestVolume` attempts — and only when at least `minimumHosts` have that many — one whose
 * success rate is below `mean − stdevFactor × stdev` (population stdev) or whose failure
 * percentage reaches the threshold is handed to `eject` (which applies the guards).
 *
 * @example
 * detectOutliers(registry.list, options.outliers, (e, h, reason) => tracker.eject(e, h, reason));
 */
export function detectOutliers(
  list: readonly LiveEndpoint[], options: ResolvedOutliers,
  eject: (e: LiveEndpoint, h: EndpointHealth, reason: string) => void,
): void {
  const { successRate, failurePercentage } = options;
  const stats: { e: LiveEndpoint; h: EndpointHealth; n: number; failed: number; rate: number }[] = [];
  for (const e of list) {
    const h = e.health;
    if (h === undefined) continue;
    const n = h.intervalOk + h.intervalFailed;
    if (h.status === 'healthy' && n > 0) stats.push({ e, h, n, failed: h.intervalFailed, rate: h.intervalOk / n });
    h.intervalOk = 0;
    h.intervalFailed = 0;
  }
  if (successRate !== undefined) {
    const eligible = stats.filter((s) => s.n >= successRate.requestVolume);
    if (eligible.length >= successRate.minimumHosts) {
      const mean = eligible.reduce((sum, s) => sum + s.rate, 0) / eligible.length;
      const stdev = Math.sqrt(eligible.reduce((sum, s) => sum + (s.rate - mean) ** 2, 0) / eligible.length);
      const floor = mean - successRate.stdevFactor * stdev;
      for (const s of eligible) {
        // Below the band by more than rounding: endpoints at one rate (1/3 each, at different
        // volumes) must not fall below their own mean's band by a rounding error (with a factor
        // below 1 they all would).
        if (s.rate < floor - RATE_TOLERANCE) eject(s.e, s.h, `success rate ${pct(s.rate)} below ${pct(floor)} (peers' mean ${pct(mean)})`);
      }
    }
  }
  if (failurePercentage !== undefined) {
    const eligible = stats.filter((s) => s.n >= failurePercentage.requestVolume);
    if (eligible.length >= failurePercentage.minimumHosts) {
      for (const s of eligible) {
        // In integers (counts × 100), not as (1 − rate) × 100: 10 of 50 is 20 %, not 19.999999999999996.
        if (s.failed * 100 >= failurePercentage.threshold * s.n) eject(s.e, s.h, `${((s.failed * 100) / s.n).toFixed(0)} % of attempts failed`);
      }
    }
  }
}

function pct(rate: number): string {
  return `${(rate * 100).toFixed(1)} %`;
}
