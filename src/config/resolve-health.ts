// Validation of the `health` options: passive health, active checks, slow start, outliers.
import { ConsecutiveBreaker, type IBreaker } from 'cockatiel';
import { ConfigError } from '../errors.js';
import { DEFAULTS } from './defaults.js';
import { field, optionObject, positiveMs, POSITIVE_MS } from './fields.js';
import type { ResolvedChecks, ResolvedHealth, ResolvedOutliers } from './resolved.js';

/** Checks an option supplied for the user (`healthService`), by the option to name in refusals. */
const SUPPLIED_CHECKS = new WeakMap<object, { readonly option: string; readonly what: string }>();

/**
 * Marks `check`, a `health.checks.check` that an option of a wrapper supplies, so that refusals
 * name that option (and what the check is) instead of a custom check the user did not write;
 * createClient's options, and every live document laid over them, keep the mark.
 *
 * @example
 * checks.check = suppliedCheck(grpcHealthCheck(pool, healthService), 'healthService', 'the gRPC health check');
 */
export function suppliedCheck<F extends object>(check: F, option: string, what: string): F {
  SUPPLIED_CHECKS.set(check, { option, what });
  return check;
}

const percent = (v: unknown): boolean => typeof v === 'number' && v >= 0 && v <= 100;
const PERCENT = 'must be a number from 0 to 100';

/**
 * Validates the health options; `undefined` means health tracking is off. `fetch`: the client's
 * `fetch` option (already validated), which the default HTTP check uses.
 */
export function resolveHealth(service: string, value: unknown, fetch?: typeof globalThis.fetch): ResolvedHealth | undefined {
  const obj = optionObject(service, value, 'health', true);
  if (obj === false) return undefined;
  const breaker = field<(() => IBreaker) | undefined>(service, obj, 'breaker', 'health.breaker', (v) => typeof v === 'function', 'must be a function returning a cockatiel IBreaker', undefined);
  const ejectionTime = field(service, obj, 'ejectionTime', 'health.ejectionTime', positiveMs, POSITIVE_MS, DEFAULTS.ejectionTime);
  const maxEjectionTime = field(service, obj, 'maxEjectionTime', 'health.maxEjectionTime', positiveMs, POSITIVE_MS, Math.max(DEFAULTS.maxEjectionTime, ejectionTime));
  if (maxEjectionTime < ejectionTime) throw new ConfigError(service, 'health.maxEjectionTime', `must be ≥ health.ejectionTime (${ejectionTime})`, maxEjectionTime);
  const sub = (key: string): unknown => (obj === undefined ? undefined : (obj as Record<string, unknown>)[key]);
  const checks = resolveChecks(service, sub('checks'), fetch);
  const probes = sub('probes');
  // With a check of the user's, checks judge every endpoint: real calls never probe one.
  if (probes !== undefined && checks?.check !== undefined) {
    const supplied = SUPPLIED_CHECKS.get(checks.check);
    const by = supplied === undefined ? 'a custom health.checks.check (checks, not real calls, probe' : `${supplied.option} (${supplied.what}, not real calls, probes`;
    throw new ConfigError(service, 'health.probes', `never takes effect with ${by} every endpoint whose ejection is over); remove probes`, probes);
  }
  return {
    breaker: breaker ?? ((): IBreaker => new ConsecutiveBreaker(DEFAULTS.consecutiveFailures)),
    ejectionTime,
    maxEjectionTime,
    maxEjectionPercent: field(service, obj, 'maxEjectionPercent', 'health.maxEjectionPercent', percent, PERCENT, DEFAULTS.maxEjectionPercent),
    panicThreshold: field(service, obj, 'panicThreshold', 'health.panicThreshold', percent, PERCENT, DEFAULTS.panicThreshold),
    probes: field(service, obj, 'probes', 'health.probes', (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 1000, 'must be an integer from 1 to 1000', DEFAULTS.probes),
    checks,
    slowStart: resolveSlowStart(service, sub('slowStart')),
    outliers: resolveOutliers(service, sub('outliers')),
    isFailure: field<ResolvedHealth['isFailure']>(service, obj, 'isFailure', 'health.isFailure', (v) => typeof v === 'function', 'must be a function (outcome) => boolean', undefined),
    overprovisioning: field(service, obj, 'overprovisioning', 'health.overprovisioning', (v) => typeof v === 'number' && v >= 1 && Number.isFinite(v), 'must be a finite number ≥ 1', DEFAULTS.overprovisioning),
  };
}

function resolveOutliers(service: string, value: unknown): ResolvedOutliers | undefined {
  const obj = optionObject(service, value, 'health.outliers', true);
  if (obj === undefined || obj === false) return undefined;
  const count = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1;
  const p = 'health.outliers.';
  const sr = optionObject(service, (obj as { successRate?: unknown }).successRate, `${p}successRate`, true);
  const fp = optionObject(service, (obj as { failurePercentage?: unknown }).failurePercentage, `${p}failurePercentage`, true);
  if (sr === false && (fp === undefined || fp === false)) {
    throw new ConfigError(service, 'health.outliers', 'detects nothing with successRate: false and failurePercentage off; give failurePercentage an object, keep successRate, or set outliers: false', obj);
  }
  return {
    interval: field(service, obj, 'interval', `${p}interval`, positiveMs, POSITIVE_MS, DEFAULTS.outlierInterval),
    // Envoy's defaults: stdev factor 1.9, 5 hosts, 100 requests; failure percentage 85 %, 5 hosts, 50 requests.
    successRate: sr === false ? undefined : {
      stdevFactor: field(service, sr, 'stdevFactor', `${p}successRate.stdevFactor`, (v) => typeof v === 'number' && v > 0 && Number.isFinite(v), 'must be a finite number > 0', DEFAULTS.successRateStdevFactor),
      minimumHosts: field(service, sr, 'minimumHosts', `${p}successRate.minimumHosts`, count, 'must be an integer ≥ 1', DEFAULTS.successRateMinimumHosts),
      requestVolume: field(service, sr, 'requestVolume', `${p}successRate.requestVolume`, count, 'must be an integer ≥ 1', DEFAULTS.successRateRequestVolume),
    },
    failurePercentage: fp === undefined || fp === false ? undefined : {
      threshold: field(service, fp, 'threshold', `${p}failurePercentage.threshold`, percent, PERCENT, DEFAULTS.failurePercentageThreshold),
      minimumHosts: field(service, fp, 'minimumHosts', `${p}failurePercentage.minimumHosts`, count, 'must be an integer ≥ 1', DEFAULTS.failurePercentageMinimumHosts),
      requestVolume: field(service, fp, 'requestVolume', `${p}failurePercentage.requestVolume`, count, 'must be an integer ≥ 1', DEFAULTS.failurePercentageRequestVolume),
    },
  };
}

function resolveSlowStart(service: string, value: unknown): ResolvedHealth['slowStart'] {
  const obj = optionObject(service, value, 'health.slowStart', true);
  if (obj === undefined || obj === false) return undefined;
  const window: unknown = (obj as { window?: unknown }).window;
  if (!positiveMs(window)) throw new ConfigError(service, 'health.slowStart.window', POSITIVE_MS, window);
  return {
    window: window as number,
    aggression: field(service, obj, 'aggression', 'health.slowStart.aggression', (v) => typeof v === 'number' && v > 0 && Number.isFinite(v), 'must be a finite number > 0', DEFAULTS.slowStartAggression),
    minWeight: field(service, obj, 'minWeightPercent', 'health.slowStart.minWeightPercent', percent, PERCENT, DEFAULTS.slowStartMinWeightPercent) / 100,
  };
}

function resolveChecks(service: string, value: unknown, fetch: typeof globalThis.fetch | undefined): ResolvedChecks | undefined {
  const obj = optionObject(service, value, 'health.checks', true);
  if (obj === undefined || obj === false) return undefined;
  const count = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 100;
  const path = field(service, obj, 'path', 'health.checks.path', (v) => typeof v === 'string' && v.startsWith('/'), "must be a path starting with '/'", DEFAULTS.checkPath);
  const check = field<ResolvedChecks['check']>(service, obj, 'check', 'health.checks.check', (v) => typeof v === 'function', 'must be a function (endpoint, { signal }) => boolean | Promise<boolean>', undefined);
  if (check !== undefined && (obj as { path?: unknown }).path !== undefined) {
    throw new ConfigError(service, 'health.checks.path', 'is used only by the default HTTP check, not by a custom health.checks.check; remove path (or check)', path);
  }
  return {
    check,
    path,
    fetch,
    interval: field(service, obj, 'interval', 'health.checks.interval', positiveMs, POSITIVE_MS, DEFAULTS.checkInterval),
    jitter: field(service, obj, 'jitter', 'health.checks.jitter', (v) => typeof v === 'number' && v >= 0 && v <= 1, 'must be a number from 0 to 1', DEFAULTS.checkJitter),
    timeout: field(service, obj, 'timeout', 'health.checks.timeout', positiveMs, POSITIVE_MS, DEFAULTS.checkTimeout),
    unhealthyThreshold: field(service, obj, 'unhealthyThreshold', 'health.checks.unhealthyThreshold', count, 'must be an integer from 1 to 100', DEFAULTS.checkUnhealthyThreshold),
    healthyThreshold: field(service, obj, 'healthyThreshold', 'health.checks.healthyThreshold', count, 'must be an integer from 1 to 100', DEFAULTS.checkHealthyThreshold),
  };
}
