import type { CallSettings } from '../call/context.js';
import { ConfigError } from '../errors.js';
import { isPlain, notPlainError } from './fields.js';
import { checkKeys, isLikelyMistake, unknownKey, type KeySet } from './keys.js';
import { CALL_KEYS, REQUEST_INIT_KEYS } from './option-keys.js';
import type { CallOptions } from './options.js';
import type { ResolvedOptions } from './resolved.js';
import { checkHedgeAttempts, DEFAULTS, resolveHedge, resolveTimeouts } from './resolve.js';

/** Settings of a call that gave no options: shared, so such a call allocates none. */
export function defaultCallSettings(options: ResolvedOptions): CallSettings {
  return Object.freeze({ key: undefined, signal: undefined, attemptTimeout: options.attemptTimeout, totalTimeout: options.totalTimeout, hedge: options.hedge, startedAt: undefined });
}

/**
 * Validates one call's options against the client's: a bad one, or a key that is not a
 * per-call option, throws `ConfigError` naming it (the call then rejects without sending
 * anything, as fetch refuses a bad `signal`).
 */
export function resolveCallOptions(options: ResolvedOptions, call: CallOptions & { classify?: unknown }, defaults: CallSettings, keys: KeySet = CALL_KEYS): CallSettings {
  // `execute(fn, loadOptions())` without its await: a Promise (or a Map) would be read as no options.
  if (call !== null && typeof call === 'object' && !isPlain(call)) throw notPlainError(options.name, 'options', call, 'must be a plain object');
  checkKeys(options.name, call, '', keys);
  return callSettings(options, call, defaults);
}

/**
 * {@link resolveCallOptions} for options whose keys are already known to be per-call ones
 * (`fetch` takes them out of an `init` that {@link checkFetchInit} has checked): the values
 * are validated, the keys not scanned again.
 */
export function callSettings(options: ResolvedOptions, call: CallOptions & { classify?: unknown }, defaults: CallSettings): CallSettings {
  const service = options.name;
  const { signal, key, timeout, hedge, idempotent, classify } = call;
  if (classify !== undefined && typeof classify !== 'function') throw new ConfigError(service, 'classify', 'must be a function', classify);
  if (signal !== undefined && signal !== null && !(signal instanceof AbortSignal)) {
    throw new ConfigError(service, 'signal', 'must be an AbortSignal', signal);
  }
  let hashKey: string | undefined;
  if (typeof key === 'string') hashKey = key;
  else if (typeof key === 'number' && Number.isFinite(key)) hashKey = String(key);
  else if (key !== undefined) throw new ConfigError(service, 'key', 'must be a string or a finite number', key);
  if (idempotent !== undefined && typeof idempotent !== 'boolean') throw new ConfigError(service, 'idempotent', 'must be a boolean', idempotent);
  let attemptTimeout = defaults.attemptTimeout;
  let totalTimeout = defaults.totalTimeout;
  if (timeout !== undefined) ({ attempt: attemptTimeout, total: totalTimeout } = resolveTimeouts(service, timeout, 'timeout', attemptTimeout, totalTimeout));
  return { key: hashKey, signal: signal ?? undefined, attemptTimeout, totalTimeout, hedge: callHedge(options, hedge, defaults), startedAt: undefined };
}

/** A call's `hedge`: the client's when not given; refused when the client allows one attempt. */
function callHedge(options: ResolvedOptions, hedge: unknown, defaults: CallSettings): CallSettings['hedge'] {
  if (hedge === undefined) return defaults.hedge;
  const resolved = resolveHedge(options.name, hedge, 'hedge', options.hedge?.maxExtraLoad ?? DEFAULTS.hedgeMaxExtraLoad);
  if (resolved !== undefined) checkHedgeAttempts(options.name, hedge, options.attempts, true);
  return resolved;
}

/**
 * Checks the keys of `client.fetch`'s `init` that are neither `RequestInit`'s nor per-call
 * options: a client option (`retry`, `health`, …), a field of one (`attempts`, `statusCodes`,
 * …), another library's option name (`retries`) or a near miss of a per-call option
 * (`timout`, `Hedge`) throws `ConfigError` naming it; any other key is left for the fetch
 * function (a custom `fetch` may read keys of its own).
 */
export function checkFetchInit(service: string, init: object | null | undefined): void {
  if (init === undefined || init === null) return;
  for (const key of Object.keys(init)) {
    if (CALL_KEYS.known.includes(key) || REQUEST_INIT_KEYS.includes(key)) continue;
    if (isLikelyMistake(key, CALL_KEYS)) throw unknownKey(service, init, key, '', CALL_KEYS);
  }
}
