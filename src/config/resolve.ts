import { systemClock, type Clock } from '../call/clock.js';
import { ConfigError } from '../errors.js';
import { messageOf } from '../message-of.js';
import type { IBreaker } from 'cockatiel';
import { DEFAULTS } from './defaults.js';
import { field, isPlain, nonNegativeMs, notPlainError, optionObject, positiveMs, POSITIVE_MS } from './fields.js';
import { checkKeys } from './keys.js';
import { CLIENT_KEYS } from './option-keys.js';
import type { ClientOptions } from './options.js';
import type { ResolvedCircuit, ResolvedHedge, ResolvedOptions } from './resolved.js';
import { resolveHealth } from './resolve-health.js';
import { resolveRetry } from './resolve-retry.js';

export { DEFAULTS } from './defaults.js';
export { resolveHealth } from './resolve-health.js';

/** Validates timeout options (client-level or per call) against defaults. */
export function resolveTimeouts(service: string, value: unknown, path: string, attempt: number, total: number): { attempt: number; total: number } {
  // A number (`timeout: 5000`, as opossum and many clients take it: the time of one try) says
  // which mistake it is, not only "must be an object": README's pointer, `{ attempt: 5000 }`.
  if (typeof value === 'number') {
    throw new ConfigError(service, path, `must be an object { attempt, total } of ms, not a number: a timeout of each attempt (as opossum's \`timeout\`) is ${path}: { attempt: ${value} }; \`total\` bounds the whole call, retries and backoff included`, value);
  }
  const obj = optionObject(service, value, path) as object | undefined;
  return {
    attempt: field(service, obj, 'attempt', `${path}.attempt`, positiveMs, POSITIVE_MS, attempt),
    total: field(service, obj, 'total', `${path}.total`, positiveMs, POSITIVE_MS, total),
  };
}

/** Validates hedge options (client-level or per call); `undefined` means no hedging. */
export function resolveHedge(service: string, value: unknown, path: string, fallbackLoad: number): ResolvedHedge | undefined {
  const obj = optionObject(service, value, path, true);
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
    throw new ConfigError(service, `${path}.delay`, "must be a number of ms from 0 to 2³¹−1 (Node's longest timer) or a percentile such as 'p95' (p0–p99.9…)", delay);
  }
  const maxExtraLoad = field(service, obj, 'maxExtraLoad', `${path}.maxExtraLoad`, (v) => typeof v === 'number' && v >= 0 && v <= 1, 'must be a number from 0 to 1', fallbackLoad);
  return { delay: ms, percentile, maxExtraLoad };
}

/**
 * Refuses a hedge that can never be sent: a hedge is an attempt and counts toward
 * `retry.attempts`, so a client allowing one attempt per call never hedges. `perCall`: the
 * hedge was given to one call rather than to the client.
 */
export function checkHedgeAttempts(service: string, hedge: unknown, attempts: number, perCall: boolean): void {
  if (attempts > 1) return;
  const fix = perCall ? 'give the client retry.attempts ≥ 2, or leave hedge out of this call' : 'set retry.attempts ≥ 2, or hedge: false';
  throw new ConfigError(service, 'hedge', `can never be sent: a hedge is an extra attempt, and this client allows 1 attempt per call (retry: false or retry.attempts: 1); ${fix}`, hedge);
}

/** Validates the service-level circuit breaker options; `undefined` means none. */
export function resolveCircuit(service: string, value: unknown): ResolvedCircuit | undefined {
  const obj = optionObject(service, value, 'circuitBreaker', true);
  if (obj === undefined || obj === false) return undefined;
  const breaker = field<(() => IBreaker) | undefined>(service, obj, 'breaker', 'circuitBreaker.breaker', (v) => typeof v === 'function', 'must be a function returning a cockatiel IBreaker', undefined);
  return {
    // Without one, the circuit makes its FailureRateBreaker on the client's clock.
    breaker,
    halfOpenAfter: field(service, obj, 'halfOpenAfter', 'circuitBreaker.halfOpenAfter', positiveMs, POSITIVE_MS, DEFAULTS.circuitHalfOpenAfter),
  };
}

function resolveSubset(service: string, value: unknown): ResolvedOptions['subset'] {
  const obj = optionObject(service, value, 'subset') as object | undefined;
  if (obj === undefined) return undefined;
  const int = (min: number) => (v: unknown): boolean => Number.isInteger(v) && (v as number) >= min && (v as number) <= 2 ** 31;
  const size = (obj as { size?: unknown }).size;
  if (!int(1)(size)) throw new ConfigError(service, 'subset.size', 'must be an integer ≥ 1', size);
  const clientId = (obj as { clientId?: unknown }).clientId;
  if (!int(0)(clientId)) throw new ConfigError(service, 'subset.clientId', 'must be an integer ≥ 0', clientId);
  return { size: size as number, clientId: clientId as number };
}

/** Checks a user-supplied clock has the shape the deadline wheel needs. */
export function resolveClock(service: string, value: unknown): Clock {
  if (value === undefined) return systemClock;
  const c = value as Partial<Clock> | null;
  if (c === null || typeof c !== 'object' || typeof c.now !== 'function' || typeof c.setTimer !== 'function') {
    throw new ConfigError(service, 'clock', 'must be a Clock ({ now(), setTimer(fn, ms) })', value);
  }
  // Deadlines are times on it: a reading that is no finite number would time every call out at once.
  let now: unknown;
  try {
    now = c.now();
  } catch (err) {
    throw new ConfigError(service, 'clock.now()', `must return a finite number of milliseconds, not throw (${messageOf(err)})`, '(nothing: it threw)');
  }
  if (typeof now !== 'number' || !Number.isFinite(now)) throw new ConfigError(service, 'clock.now()', 'must return a finite number of milliseconds', now);
  return c as Clock;
}

/** The client's name, checked first: every other error names the service by it. */
function resolveName(options: ClientOptions): string {
  if (options === null || typeof options !== 'object') {
    throw new ConfigError('bulwark', 'options', 'must be an object', options);
  }
  // `createClient(loadOptions())` without its await: about the Promise, not about a missing name.
  if (!isPlain(options)) throw notPlainError('bulwark', 'options', options, 'must be a plain object', 'its keys would be read as none');
  const name: unknown = options.name;
  if (typeof name !== 'string' || name.trim() === '') {
    throw new ConfigError('bulwark', 'name', 'must be a non-empty string', name);
  }
  return name;
}

/**
 * Validates every client option once and fills in defaults. Discovery, picker and clock are
 * checked by the client itself, which knows what to do with them. Unknown keys, at any level,
 * throw `ConfigError` naming them, as do combinations that could never take effect.
 */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  const name = resolveName(options);
  checkKeys(name, options, '', CLIENT_KEYS);
  const timeouts = resolveTimeouts(name, options.timeout, 'timeout', DEFAULTS.attemptTimeout, DEFAULTS.totalTimeout);
  const retry = resolveRetry(name, options.retry);
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new ConfigError(name, 'fetch', 'must be a function', options.fetch);
  }
  const wait: unknown = options.waitForEndpoints;
  if (wait !== undefined && typeof wait !== 'boolean') throw new ConfigError(name, 'waitForEndpoints', 'must be a boolean', wait);
  const hedge = resolveHedge(name, options.hedge, 'hedge', DEFAULTS.hedgeMaxExtraLoad);
  if (hedge !== undefined) checkHedgeAttempts(name, options.hedge, retry.attempts, false);
  const health = resolveHealth(name, options.health, options.fetch as typeof globalThis.fetch | undefined);
  const resolved: ResolvedOptions = {
    name, attemptTimeout: timeouts.attempt, totalTimeout: timeouts.total, ...retry, hedge, waitForEndpoints: wait === true, health,
    circuit: resolveCircuit(name, options.circuitBreaker),
    subset: resolveSubset(name, options.subset),
    localZone: field<string | undefined>(name, options, 'localZone', 'localZone', (v) => typeof v === 'string' && v !== '', 'must be a non-empty string', undefined),
  };
  if (resolved.localZone !== undefined && health === undefined) {
    throw new ConfigError(name, 'localZone', 'is ignored with health: false (zone-aware routing needs health tracking); leave health on (omit it or pass an object) or remove localZone', resolved.localZone);
  }
  return resolved;
}
