import type { ResolvedOutliers } from '../config/options.js';
import type { EndpointState } from '../endpoints/endpoint.js';
import type { EndpointHealth } from './endpoint-health.js';

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
  list: readonly EndpointState[], options: ResolvedOutliers,
  eject: (e: EndpointState, h: EndpointHealth, reason: string) => void,
): void {
  const { successRate, failurePercentage } = options;
  const stats: { e: EndpointState; h: EndpointHealth; n: number; rate: number }[] = [];
  for (const e of list) {
    const h = e.health;
    if (h === undefined) continue;
    const n = h.intervalOk + h.intervalFailed;
    if (h.status === 'healthy' && n > 0) stats.push({ e, h, n, rate: h.intervalOk / n });
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
        if (s.rate < floor) eject(s.e, s.h, `success rate ${pct(s.rate)} below ${pct(floor)} (peers' mean ${pct(mean)})`);
      }
    }
  }
  if (failurePercentage !== undefined) {
    const eligible = stats.filter((s) => s.n >= failurePercentage.requestVolume);
    if (eligible.length >= failurePercentage.minimumHosts) {
      for (const s of eligible) {
        const failures = (1 - s.rate) * 100;
        if (failures >= failurePercentage.threshold) eject(s.e, s.h, `${failures.toFixed(0)} % of attempts failed`);
      }
    }
  }
}

function pct(rate: number): string {
  return `${(rate * 100).toFixed(1)} %`;
}
