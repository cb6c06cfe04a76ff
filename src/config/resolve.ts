import { systemClock, type Clock } from '../call/clock.js';
import { ConfigError } from '../errors.js';
import { ConsecutiveBreaker, SamplingBreaker, type IBreaker } from 'cockatiel';
import type { ClientOptions, ResolvedChecks, ResolvedOutliers, ResolvedCircuit, ResolvedHealth, ResolvedHedge, ResolvedOptions, RetryOptions } from './options.js';

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

type Check = (value: unknown) => boolean;
const positiveMs: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 2_147_483_647;
const nonNegativeMs: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 2_147_483_647;
const POSITIVE_MS = 'must be a finite number of ms > 0 (at most 2^31-1)';

/** Reads an optional field, checks it and returns it or the default; throws ConfigError naming `path`. */
function field<T>(service: string, obj: object | undefined, key: string, path: string, check: Check, expected: string, fallback: T): T {
  const value = obj === undefined ? undefined : (obj as Record<string, unknown>)[key];
  if (value === undefined) return fallback;
  if (!check(value)) throw new ConfigError(service, path, expected, value);
  return value as T;
}

function objectOrUndefined(service: string, value: unknown, path: string, allowFalse = false): object | undefined | false {
  if (value === undefined) return undefined;
  if (allowFalse && value === false) return false;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(service, path, allowFalse ? 'must be an object or false' : 'must be an object', value);
  }
  return value;
}

/** Validates timeout options (client-level or per call) against defaults. */
export function resolveTimeouts(service: string, value: unknown, path: string, attempt: number, total: number): { attempt: number; total: number } {
  const obj = objectOrUndefined(service, value, path) as object | undefined;
  return {
    attempt: field(service, obj, 'attempt', `${path}.attempt`, positiveMs, POSITIVE_MS, attempt),
    total: field(service, obj, 'total', `${path}.total`, positiveMs, POSITIVE_MS, total),
  };
}

/** Validates hedge options (client-level or per call); `undefined` means no hedging. */
export function resolveHedge(service: string, value: unknown, path: string, fallbackLoad: number): ResolvedHedge | undefined {
  const obj = objectOrUndefined(service, value, path, true);
  if (obj === undefined || obj === false) return undefined;
  const delay: unknown = (obj as { delay?: unknown }).delay;
  let ms: number;
  let percentile = false;
  const match = typeof delay === 'string' ? /^p(\d{1,2}(?:\.\d+)?)$/.exec(delay) : null;
  if (match !== null) {
    ms = Number(match[1]);
    percentile = true;
  } else if (nonNegativeMs(delay)) {
    ms = delay as number;
  } else {
    throw new ConfigError(service, `${path}.delay`, "must be a number of ms ≥ 0 or a percentile such as 'p95' (p0–p99.9…)", delay);
  }
  const maxExtraLoad = field(service, obj, 'maxExtraLoad', `${path}.maxExtraLoad`, (v) => typeof v === 'number' && v >= 0 && v <= 1, 'must be a number from 0 to 1', fallbackLoad);
  return { delay: ms, percentile, maxExtraLoad };
}

/** Validates the health options; `undefined` means health tracking is off. */
export function resolveHealth(service: string, value: unknown): ResolvedHealth | undefined {
  const obj = objectOrUndefined(service, value, 'health', true);
  if (obj === false) return undefined;
  const breaker = field<(() => IBreaker) | undefined>(service, obj, 'breaker', 'health.breaker', (v) => typeof v === 'function', 'must be a function returning a cockatiel IBreaker', undefined);
  const percent = (v: unknown): boolean => typeof v === 'number' && v >= 0 && v <= 100;
  const ejectionTime = field(service, obj, 'ejectionTime', 'health.ejectionTime', positiveMs, POSITIVE_MS, DEFAULTS.ejectionTime);
  const maxEjectionTime = field(service, obj, 'maxEjectionTime', 'health.maxEjectionTime', positiveMs, POSITIVE_MS, Math.max(DEFAULTS.maxEjectionTime, ejectionTime));
  if (maxEjectionTime < ejectionTime) throw new ConfigError(service, 'health.maxEjectionTime', `must be ≥ health.ejectionTime (${ejectionTime})`, maxEjectionTime);
  return {
    breaker: breaker ?? ((): IBreaker => new ConsecutiveBreaker(DEFAULTS.consecutiveFailures)),
    ejectionTime,
    maxEjectionTime,
    maxEjectionPercent: field(service, obj, 'maxEjectionPercent', 'health.maxEjectionPercent', percent, 'must be a number from 0 to 100', DEFAULTS.maxEjectionPercent),
    panicThreshold: field(service, obj, 'panicThreshold', 'health.panicThreshold', percent, 'must be a number from 0 to 100', DEFAULTS.panicThreshold),
    probes: field(service, obj, 'probes', 'health.probes', (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 1000, 'must be an integer from 1 to 1000', DEFAULTS.probes),
    checks: resolveChecks(service, obj === undefined ? undefined : (obj as { checks?: unknown }).checks),
    slowStart: resolveSlowStart(service, obj === undefined ? undefined : (obj as { slowStart?: unknown }).slowStart),
    outliers: resolveOutliers(service, obj === undefined ? undefined : (obj as { outliers?: unknown }).outliers),
    isFailure: field<ResolvedHealth['isFailure']>(service, obj, 'isFailure', 'health.isFailure', (v) => typeof v === 'function', 'must be a function (outcome) => boolean', undefined),
    overprovisioning: field(service, obj, 'overprovisioning', 'health.overprovisioning', (v) => typeof v === 'number' && v >= 1 && Number.isFinite(v), 'must be a finite number ≥ 1', 1.4),
  };
}

function resolveOutliers(service: string, value: unknown): ResolvedOutliers | undefined {
  const obj = objectOrUndefined(service, value, 'health.outliers', true);
  if (obj === undefined || obj === false) return undefined;
  const count = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1;
  const sr = objectOrUndefined(service, (obj as { successRate?: unknown }).successRate, 'health.outliers.successRate', true);
  const fp = objectOrUndefined(service, (obj as { failurePercentage?: unknown }).failurePercentage, 'health.outliers.failurePercentage', true);
  const p = 'health.outliers.';
  return {
    interval: field(service, obj, 'interval', `${p}interval`, positiveMs, POSITIVE_MS, 10_000),
    // Envoy's defaults: stdev factor 1.9, 5 hosts, 100 requests; failure percentage 85 %, 5 hosts, 50 requests.
    successRate: sr === false ? undefined : {
      stdevFactor: field(service, sr, 'stdevFactor', `${p}successRate.stdevFactor`, (v) => typeof v === 'number' && v > 0 && Number.isFinite(v), 'must be a finite number > 0', 1.9),
      minimumHosts: field(service, sr, 'minimumHosts', `${p}successRate.minimumHosts`, count, 'must be an integer ≥ 1', 5),
      requestVolume: field(service, sr, 'requestVolume', `${p}successRate.requestVolume`, count, 'must be an integer ≥ 1', 100),
    },
    failurePercentage: fp === undefined || fp === false ? undefined : {
      threshold: field(service, fp, 'threshold', `${p}failurePercentage.threshold`, (v) => typeof v === 'number' && v >= 0 && v <= 100, 'must be a number from 0 to 100', 85),
      minimumHosts: field(service, fp, 'minimumHosts', `${p}failurePercentage.minimumHosts`, count, 'must be an integer ≥ 1', 5),
      requestVolume: field(service, fp, 'requestVolume', `${p}failurePercentage.requestVolume`, count, 'must be an integer ≥ 1', 50),
    },
  };
}

function resolveSlowStart(service: string, value: unknown): ResolvedHealth['slowStart'] {
  const obj = objectOrUndefined(service, value, 'health.slowStart', true);
  if (obj === undefined || obj === false) return undefined;
  const window: unknown = (obj as { window?: unknown }).window;
  if (!positiveMs(window)) throw new ConfigError(service, 'health.slowStart.window', POSITIVE_MS, window);
  return {
    window: window as number,
    aggression: field(service, obj, 'aggression', 'health.slowStart.aggression', (v) => typeof v === 'number' && v > 0 && Number.isFinite(v), 'must be a finite number > 0', 1),
    minWeight: field(service, obj, 'minWeightPercent', 'health.slowStart.minWeightPercent', (v) => typeof v === 'number' && v >= 0 && v <= 100, 'must be a number from 0 to 100', 10) / 100,
  };
}

function resolveChecks(service: string, value: unknown): ResolvedChecks | undefined {
  const obj = objectOrUndefined(service, value, 'health.checks', true);
  if (obj === undefined || obj === false) return undefined;
  const count = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 100;
  const path = field(service, obj, 'path', 'health.checks.path', (v) => typeof v === 'string' && v.startsWith('/'), "must be a path starting with '/'", '/health');
  return {
    check: field<ResolvedChecks['check']>(service, obj, 'check', 'health.checks.check', (v) => typeof v === 'function', 'must be a function (endpoint, { signal }) => boolean | Promise<boolean>', undefined),
    path,
    interval: field(service, obj, 'interval', 'health.checks.interval', positiveMs, POSITIVE_MS, 10_000),
    jitter: field(service, obj, 'jitter', 'health.checks.jitter', (v) => typeof v === 'number' && v >= 0 && v <= 1, 'must be a number from 0 to 1', 0.1),
    timeout: field(service, obj, 'timeout', 'health.checks.timeout', positiveMs, POSITIVE_MS, 1_000),
    unhealthyThreshold: field(service, obj, 'unhealthyThreshold', 'health.checks.unhealthyThreshold', count, 'must be an integer from 1 to 100', 3),
    healthyThreshold: field(service, obj, 'healthyThreshold', 'health.checks.healthyThreshold', count, 'must be an integer from 1 to 100', 2),
  };
}

/** Validates the service-level circuit breaker options; `undefined` means none. */
export function resolveCircuit(service: string, value: unknown): ResolvedCircuit | undefined {
  const obj = objectOrUndefined(service, value, 'circuitBreaker', true);
  if (obj === undefined || obj === false) return undefined;
  const breaker = field<(() => IBreaker) | undefined>(service, obj, 'breaker', 'circuitBreaker.breaker', (v) => typeof v === 'function', 'must be a function returning a cockatiel IBreaker', undefined);
  return {
    breaker: breaker ?? ((): IBreaker => new SamplingBreaker({ threshold: 0.5, duration: 10_000, minimumRps: 5 })),
    halfOpenAfter: field(service, obj, 'halfOpenAfter', 'circuitBreaker.halfOpenAfter', positiveMs, POSITIVE_MS, 10_000),
  };
}

function resolveSubset(service: string, value: unknown): ResolvedOptions['subset'] {
  const obj = objectOrUndefined(service, value, 'subset') as object | undefined;
  if (obj === undefined) return undefined;
  const int = (min: number) => (v: unknown): boolean => Number.isInteger(v) && (v as number) >= min && (v as number) <= 2 ** 31;
  const size = (obj as { size?: unknown }).size;
  if (!int(1)(size)) throw new ConfigError(service, 'subset.size', 'must be an integer ≥ 1', size);
  const clientId = (obj as { clientId?: unknown }).clientId;
  if (!int(0)(clientId)) throw new ConfigError(service, 'subset.clientId', 'must be an integer ≥ 0', clientId);
  return { size: size as number, clientId: clientId as number };
}

function resolveStatusCodes(service: string, value: unknown): ReadonlySet<number> {
  if (value === undefined) return new Set(DEFAULTS.statusCodes);
  if (!Array.isArray(value) || !value.every((s) => Number.isInteger(s) && s >= 100 && s <= 599)) {
    throw new ConfigError(service, 'retry.statusCodes', 'must be an array of HTTP statuses (100–599)', value);
  }
  return new Set(value as number[]);
}

/** Checks a user-supplied clock has the shape the deadline wheel needs. */
export function resolveClock(service: string, value: unknown): Clock {
  if (value === undefined) return systemClock;
  const c = value as Partial<Clock> | null;
  if (c === null || typeof c !== 'object' || typeof c.now !== 'function' || typeof c.setTimer !== 'function') {
    throw new ConfigError(service, 'clock', 'must be a Clock ({ now(), setTimer(fn, ms) })', value);
  }
  return c as Clock;
}

/**
 * Validates every client option once and fills in defaults. Discovery, picker and clock are
 * checked by the client itself, which knows what to do with them.
 */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new ConfigError('bulwark', 'options', 'must be an object', options);
  }
  const name: unknown = options.name;
  if (typeof name !== 'string' || name.trim() === '') {
    throw new ConfigError('bulwark', 'name', 'must be a non-empty string', name);
  }
  const timeouts = resolveTimeouts(name, options.timeout, 'timeout', DEFAULTS.attemptTimeout, DEFAULTS.totalTimeout);
  const retry = objectOrUndefined(name, options.retry, 'retry', true);
  let attempts: number = DEFAULTS.attempts;
  let budget: ResolvedOptions['budget'] = false;
  let backoffBase: number = DEFAULTS.backoffBase;
  let backoffCap: number = DEFAULTS.backoffCap;
  let statusCodes = new Set(DEFAULTS.statusCodes) as ReadonlySet<number>;
  if (retry === false) {
    attempts = 1;
  } else {
    attempts = field(name, retry, 'attempts', 'retry.attempts', (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 100, 'must be an integer ≥ 1 (at most 100)', attempts);
    const b = objectOrUndefined(name, (retry as RetryOptions | undefined)?.budget, 'retry.budget', true);
    if (b !== false) {
      budget = {
        ratio: field(name, b, 'ratio', 'retry.budget.ratio', (v) => typeof v === 'number' && v >= 0 && v <= 1000, 'must be a number ≥ 0', DEFAULTS.budgetRatio),
        minPerSecond: field(name, b, 'minPerSecond', 'retry.budget.minPerSecond', (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0, 'must be a finite number ≥ 0', DEFAULTS.budgetMinPerSecond),
        window: field(name, b, 'window', 'retry.budget.window', (v) => positiveMs(v) && (v as number) >= 10, 'must be a finite number of ms ≥ 10', DEFAULTS.budgetWindow),
      };
    }
    const bo = objectOrUndefined(name, (retry as RetryOptions | undefined)?.backoff, 'retry.backoff') as object | undefined;
    backoffBase = field(name, bo, 'base', 'retry.backoff.base', nonNegativeMs, 'must be a finite number of ms ≥ 0', backoffBase);
    backoffCap = field(name, bo, 'cap', 'retry.backoff.cap', nonNegativeMs, 'must be a finite number of ms ≥ 0', Math.max(backoffCap, backoffBase));
    if (backoffCap < backoffBase) throw new ConfigError(name, 'retry.backoff.cap', `must be ≥ retry.backoff.base (${backoffBase})`, backoffCap);
    statusCodes = resolveStatusCodes(name, (retry as RetryOptions | undefined)?.statusCodes);
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new ConfigError(name, 'fetch', 'must be a function', options.fetch);
  }
  const wait: unknown = options.waitForEndpoints;
  if (wait !== undefined && typeof wait !== 'boolean') throw new ConfigError(name, 'waitForEndpoints', 'must be a boolean', wait);
  return {
    name, attemptTimeout: timeouts.attempt, totalTimeout: timeouts.total, attempts, budget, backoffBase, backoffCap,
    statusCodes, hedge: resolveHedge(name, options.hedge, 'hedge', DEFAULTS.hedgeMaxExtraLoad), waitForEndpoints: wait === true,
    health: resolveHealth(name, options.health),
    circuit: resolveCircuit(name, options.circuitBreaker),
    subset: resolveSubset(name, options.subset),
    localZone: field<string | undefined>(name, options, 'localZone', 'localZone', (v) => typeof v === 'string' && v !== '', 'must be a non-empty string', undefined),
  };
}
