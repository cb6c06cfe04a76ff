// DEFAULTS is what an option left out becomes (README, "Options": "Every default below is also
// exported … as DEFAULTS"): each figure is checked against what the resolvers produce.
import { describe, expect, it } from 'vitest';
import { ConsecutiveBreaker } from 'cockatiel';
import { DEFAULTS } from '../../src/index.js';
import { resolveOptions } from '../../src/config/resolve.js';

describe('DEFAULTS', () => {
  const o = resolveOptions({
    name: 'd', discovery: ['127.0.0.1:1'], hedge: { delay: 10 }, circuitBreaker: {},
    health: { checks: {}, outliers: { failurePercentage: {} }, slowStart: { window: 1_000 } },
  });
  const h = o.health!;

  it('holds the resolved defaults of timeouts, retry and hedging', () => {
    expect(o).toMatchObject({
      attemptTimeout: DEFAULTS.attemptTimeout, totalTimeout: DEFAULTS.totalTimeout, attempts: DEFAULTS.attempts,
      backoffBase: DEFAULTS.backoffBase, backoffCap: DEFAULTS.backoffCap,
      budget: { ratio: DEFAULTS.budgetRatio, minPerSecond: DEFAULTS.budgetMinPerSecond, window: DEFAULTS.budgetWindow },
      hedge: { maxExtraLoad: DEFAULTS.hedgeMaxExtraLoad },
    });
    expect([...o.statusCodes]).toEqual([...DEFAULTS.statusCodes]);
  });

  it('holds the resolved defaults of health, checks, outliers and slow start', () => {
    expect(h).toMatchObject({
      ejectionTime: DEFAULTS.ejectionTime, maxEjectionTime: DEFAULTS.maxEjectionTime, maxEjectionPercent: DEFAULTS.maxEjectionPercent,
      panicThreshold: DEFAULTS.panicThreshold, probes: DEFAULTS.probes, overprovisioning: DEFAULTS.overprovisioning,
      checks: {
        path: DEFAULTS.checkPath, interval: DEFAULTS.checkInterval, jitter: DEFAULTS.checkJitter, timeout: DEFAULTS.checkTimeout,
        unhealthyThreshold: DEFAULTS.checkUnhealthyThreshold, healthyThreshold: DEFAULTS.checkHealthyThreshold,
      },
      outliers: {
        interval: DEFAULTS.outlierInterval,
        successRate: { stdevFactor: DEFAULTS.successRateStdevFactor, minimumHosts: DEFAULTS.successRateMinimumHosts, requestVolume: DEFAULTS.successRateRequestVolume },
        failurePercentage: { threshold: DEFAULTS.failurePercentageThreshold, minimumHosts: DEFAULTS.failurePercentageMinimumHosts, requestVolume: DEFAULTS.failurePercentageRequestVolume },
      },
      slowStart: { aggression: DEFAULTS.slowStartAggression, minWeight: DEFAULTS.slowStartMinWeightPercent / 100 },
    });
    expect(h.breaker()).toBeInstanceOf(ConsecutiveBreaker);
  });

  it('holds the circuit breaker defaults', () => {
    expect(o.circuit!.halfOpenAfter).toBe(DEFAULTS.circuitHalfOpenAfter);
    // No factory of the user's: the circuit makes a FailureRateBreaker from DEFAULTS on the
    // client's clock (its rule: test/unit/failure-rate-breaker.test.ts).
    expect(o.circuit!.breaker).toBeUndefined();
  });
});
