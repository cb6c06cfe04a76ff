/**
 * Every option's default, exported so docs and tests name one source (sources in the README's option table);
 * and `maxPause`, a bound no option changes: the longest an endpoint's `Retry-After` (or gRPC
 * pushback) keeps it out of rotation, and so the longest a retry waits for one, 30 s as undici's `RetryHandler` honours `Retry-After` up to
 * its `maxTimeout` (default 30 s).
 */
export const DEFAULTS: {
  readonly attemptTimeout: 10_000; readonly totalTimeout: 30_000; readonly attempts: 3;
  readonly budgetRatio: 0.2; readonly budgetMinPerSecond: 10; readonly budgetWindow: 10_000;
  readonly backoffBase: 25; readonly backoffCap: 250;
  readonly statusCodes: readonly number[]; readonly hedgeMaxExtraLoad: 0.05;
  readonly consecutiveFailures: 5; readonly ejectionTime: 30_000; readonly maxEjectionTime: 300_000;
  readonly maxEjectionPercent: 10; readonly panicThreshold: 50; readonly probes: 1; readonly overprovisioning: 1.4;
  readonly maxPause: 30_000;
  readonly outlierInterval: 10_000;
  readonly successRateStdevFactor: 1.9; readonly successRateMinimumHosts: 5; readonly successRateRequestVolume: 100;
  readonly failurePercentageThreshold: 85; readonly failurePercentageMinimumHosts: 5; readonly failurePercentageRequestVolume: 50;
  readonly slowStartAggression: 1; readonly slowStartMinWeightPercent: 10;
  readonly checkPath: '/health'; readonly checkInterval: 10_000; readonly checkJitter: 0.1; readonly checkTimeout: 1_000;
  readonly checkUnhealthyThreshold: 3; readonly checkHealthyThreshold: 2;
  readonly circuitFailureRate: 0.5; readonly circuitSamplingWindow: 10_000; readonly circuitMinimumRps: 5; readonly circuitHalfOpenAfter: 10_000;
} = Object.freeze({
  attemptTimeout: 10_000, totalTimeout: 30_000, attempts: 3,
  budgetRatio: 0.2, budgetMinPerSecond: 10, budgetWindow: 10_000,
  backoffBase: 25, backoffCap: 250,
  statusCodes: Object.freeze([429, 502, 503, 504]), hedgeMaxExtraLoad: 0.05,
  consecutiveFailures: 5, ejectionTime: 30_000, maxEjectionTime: 300_000, maxEjectionPercent: 10, panicThreshold: 50, probes: 1, overprovisioning: 1.4,
  maxPause: 30_000,
  outlierInterval: 10_000,
  successRateStdevFactor: 1.9, successRateMinimumHosts: 5, successRateRequestVolume: 100,
  failurePercentageThreshold: 85, failurePercentageMinimumHosts: 5, failurePercentageRequestVolume: 50,
  slowStartAggression: 1, slowStartMinWeightPercent: 10,
  checkPath: '/health', checkInterval: 10_000, checkJitter: 0.1, checkTimeout: 1_000, checkUnhealthyThreshold: 3, checkHealthyThreshold: 2,
  circuitFailureRate: 0.5, circuitSamplingWindow: 10_000, circuitMinimumRps: 5, circuitHalfOpenAfter: 10_000,
});
