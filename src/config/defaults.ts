/** Exported defaults, so docs and tests name one source (sources in the README's option table). */
export const DEFAULTS: {
  readonly attemptTimeout: 10_000; readonly totalTimeout: 30_000; readonly attempts: 3;
  readonly budgetRatio: 0.2; readonly budgetMinPerSecond: 10; readonly budgetWindow: 10_000;
  readonly backoffBase: 25; readonly backoffCap: 250;
  readonly statusCodes: readonly number[]; readonly hedgeMaxExtraLoad: 0.05;
  readonly consecutiveFailures: 5; readonly ejectionTime: 30_000; readonly maxEjectionTime: 300_000;
  readonly maxEjectionPercent: 10; readonly panicThreshold: 50; readonly probes: 1;
} = {
  attemptTimeout: 10_000, totalTimeout: 30_000, attempts: 3,
  budgetRatio: 0.2, budgetMinPerSecond: 10, budgetWindow: 10_000,
  backoffBase: 25, backoffCap: 250,
  statusCodes: Object.freeze([429, 502, 503, 504]), hedgeMaxExtraLoad: 0.05,
  consecutiveFailures: 5, ejectionTime: 30_000, maxEjectionTime: 300_000, maxEjectionPercent: 10, panicThreshold: 50, probes: 1,
};
