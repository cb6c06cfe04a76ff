import type { CallSettings } from '../call/context.js';
import { ConfigError } from '../errors.js';
import type { CallOptions, ResolvedOptions } from './options.js';
import { DEFAULTS, resolveHedge, resolveTimeouts } from './resolve.js';

/** Settings of a call that gave no options: shared, so such a call allocates none. */
export function defaultCallSettings(options: ResolvedOptions): CallSettings {
  return Object.freeze({ key: undefined, signal: undefined, attemptTimeout: options.attemptTimeout, totalTimeout: options.totalTimeout, hedge: options.hedge });
}

/**
 * Validates one call's options against the client's: a bad one throws `ConfigError` naming
 * it (the call then rejects without sending anything, as fetch refuses a bad `signal`).
 */
export function resolveCallOptions(options: ResolvedOptions, call: CallOptions & { classify?: unknown }, defaults: CallSettings): CallSettings {
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
  return {
    key: hashKey,
    signal: signal ?? undefined,
    attemptTimeout,
    totalTimeout,
    hedge: hedge === undefined ? defaults.hedge : resolveHedge(service, hedge, 'hedge', options.hedge?.maxExtraLoad ?? DEFAULTS.hedgeMaxExtraLoad),
  };
}
