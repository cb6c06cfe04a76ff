// The keys of every options object, one table per object. Each table is typed against its
// interface, so adding an option to options.ts without listing it here fails to compile.
import type { RetryBudgetOptions } from '../pipeline/budget.js';
import type { KeySet, Table } from './keys.js';
import type {
  CallOptions, CircuitBreakerOptions, ClientOptions, HealthCheckOptions, HealthOptions, HedgeOptions,
  OutlierOptions, RetryOptions, SlowStartOptions, TimeoutOptions,
} from './options.js';

type Detector<K extends 'successRate' | 'failurePercentage'> = Exclude<OutlierOptions[K], false | undefined>;

const client: Table<ClientOptions> = {
  name: true, discovery: true, picker: true, timeout: true, retry: true, hedge: true, health: true,
  localZone: true, subset: true, circuitBreaker: true, waitForEndpoints: true, fetch: true, clock: true,
};
const call: Table<CallOptions & { classify: unknown }> = { signal: true, timeout: true, idempotent: true, key: true, hedge: true, classify: true };

/** Nested option objects, by their path, with their keys. */
const nested: Readonly<Record<string, readonly string[]>> = {
  timeout: Object.keys({ attempt: true, total: true } satisfies Table<TimeoutOptions>),
  retry: Object.keys({ attempts: true, budget: true, backoff: true, statusCodes: true } satisfies Table<RetryOptions>),
  'retry.budget': Object.keys({ ratio: true, minPerSecond: true, window: true } satisfies Table<RetryBudgetOptions>),
  'retry.backoff': Object.keys({ base: true, cap: true } satisfies Table<NonNullable<RetryOptions['backoff']>>),
  hedge: Object.keys({ delay: true, maxExtraLoad: true } satisfies Table<HedgeOptions>),
  health: Object.keys({
    breaker: true, ejectionTime: true, maxEjectionTime: true, maxEjectionPercent: true, panicThreshold: true, probes: true,
    checks: true, slowStart: true, outliers: true, overprovisioning: true, isFailure: true,
  } satisfies Table<HealthOptions>),
  'health.checks': Object.keys({
    check: true, path: true, interval: true, jitter: true, timeout: true, unhealthyThreshold: true, healthyThreshold: true,
  } satisfies Table<HealthCheckOptions>),
  'health.slowStart': Object.keys({ window: true, aggression: true, minWeightPercent: true } satisfies Table<SlowStartOptions>),
  'health.outliers': Object.keys({ interval: true, successRate: true, failurePercentage: true } satisfies Table<OutlierOptions>),
  'health.outliers.successRate': Object.keys({ stdevFactor: true, minimumHosts: true, requestVolume: true } satisfies Table<Detector<'successRate'>>),
  'health.outliers.failurePercentage': Object.keys({ threshold: true, minimumHosts: true, requestVolume: true } satisfies Table<Detector<'failurePercentage'>>),
  circuitBreaker: Object.keys({ breaker: true, halfOpenAfter: true } satisfies Table<CircuitBreakerOptions>),
  subset: Object.keys({ size: true, clientId: true } satisfies Table<NonNullable<ClientOptions['subset']>>),
};

/**
 * Options of the libraries our users come from (p-retry, opossum, cockatiel, undici's retry
 * handler), by the options object they are likely given in, with where bulwark has them: an
 * unknown key of that name says so instead of listing the known keys.
 */
const ATTEMPTS = "p-retry's `retries` (and undici's `maxRetries`) count retries; bulwark counts attempts in all: `retry.attempts` (retries + 1)";
const MAX_ATTEMPTS = "cockatiel's `maxAttempts` counts retries (`maxAttempts: 2` calls up to 3 times); bulwark counts attempts in all: `retry.attempts` (maxAttempts + 1)";
const BACKOFF = 'the backoff is `retry.backoff: { base, cap }` in ms (exponential, decorrelated jitter)';
const RULE = "when the circuit opens is the breaker's rule: `circuitBreaker.breaker`, a cockatiel breaker (e.g. `() => new SamplingBreaker({ threshold: 0.5, duration: 10_000, minimumRps: 5 })`)";
const PEER_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '': {
    retries: ATTEMPTS, maxRetries: ATTEMPTS, maxAttempts: MAX_ATTEMPTS,
    minTimeout: BACKOFF, maxTimeout: BACKOFF, factor: BACKOFF,
    errorThresholdPercentage: RULE, volumeThreshold: RULE, rollingCountTimeout: RULE,
    resetTimeout: "opossum's `resetTimeout` is `circuitBreaker.halfOpenAfter` here",
    hedging: 'did you mean `hedge`?', endpoints: 'the endpoints (or an adapter that finds them) go in `discovery`',
  },
  retry: {
    retries: ATTEMPTS, maxRetries: ATTEMPTS, maxAttempts: MAX_ATTEMPTS,
    minTimeout: BACKOFF, maxTimeout: BACKOFF, factor: BACKOFF, statusCode: 'did you mean `retry.statusCodes`?',
  },
  circuitBreaker: {
    errorThresholdPercentage: RULE, volumeThreshold: RULE, rollingCountTimeout: RULE, threshold: RULE,
    resetTimeout: "opossum's `resetTimeout` is `circuitBreaker.halfOpenAfter` here",
  },
};

const UNDICI = 'it is an option of createUndiciClient, from bulwark/undici';
const GRPC = 'it is an option of createGrpcClient, from bulwark/grpc';
const PER_CALL = 'it is a per-call option: pass it to fetch, execute or a gRPC method';
const CLIENT_ONLY = 'it is a client option: set it in createClient; timeout, retry, hedge and health also change live with reconfigure';

/** Where a key given at the top level of createClient's options belongs instead. */
function clientElsewhere(): Record<string, string> {
  const out: Record<string, string> = {
    pool: UNDICI, credentials: GRPC, channelOptions: GRPC, codes: GRPC, healthService: GRPC, callOptions: GRPC,
    signal: PER_CALL, idempotent: PER_CALL, key: PER_CALL, classify: PER_CALL,
  };
  const paths: Record<string, string[]> = {};
  for (const [path, keys] of Object.entries(nested)) {
    if (path.includes('.')) continue;
    for (const key of keys) if (!Object.hasOwn(client, key)) (paths[key] ??= []).push(`\`${path}.${key}\``);
  }
  for (const [key, list] of Object.entries(paths)) out[key] = `did you mean ${list.join(' or ')}?`;
  return { ...PEER_NAMES[''], ...out };
}

/** createClient's options (and what a wrapper passes on to it). */
export const CLIENT_KEYS: KeySet = { known: Object.keys(client), what: 'an option of createClient', elsewhere: clientElsewhere() };

/**
 * The keys of a function that takes createClient's options plus its own (`createUndiciClient`'s
 * `pool`, `createGrpcClient`'s `credentials`, …) and hands the rest to the client: an unknown
 * key is reported as not an option of `wrapper`, with a near miss of either kind suggested.
 * `without`: createClient's keys the wrapper does not take (createGrpcClient has no `fetch`).
 */
export function wrapperKeys(wrapper: string, own: readonly string[], without: readonly string[] = []): KeySet {
  const elsewhere: Record<string, string> = { ...CLIENT_KEYS.elsewhere };
  for (const key of own) delete elsewhere[key];
  const known = CLIENT_KEYS.known.filter((key) => !without.includes(key));
  return { known: Object.freeze([...known, ...own]), what: `an option of ${wrapper}`, elsewhere };
}

const nestedSets: Readonly<Record<string, KeySet>> = Object.fromEntries(
  Object.entries(nested).map(([path, known]) => [path, { known, what: `an option of \`${path}\``, elsewhere: PEER_NAMES[path] }]),
);

/** The keys of the nested option object at `path` (`'retry'`, `'health.checks'`, …). */
export function nestedKeys(path: string): KeySet {
  const keys = nestedSets[path];
  if (keys === undefined) throw new Error(`bulwark: no key table for ${path}`);
  return keys;
}

const clientOnly: Record<string, string> = {};
for (const key of Object.keys(client)) if (!Object.hasOwn(call, key)) clientOnly[key] = CLIENT_ONLY;

/**
 * The peer names a user tries per call (p-retry's `{ retries: 0 }` for one call that must not
 * be repeated), with the same pointer as createClient's, and what a call can do instead: there
 * is no per-call `retry`.
 */
const NO_CALL_RETRY = 'a call has no retry option of its own: `idempotent: false` retries only attempts that provably never reached a server; for calls never repeated, use a second client made with `retry: false`';
const perCallPeers: Record<string, string> = {};
for (const [key, where] of Object.entries(PEER_NAMES[''] ?? {})) {
  if (key === 'endpoints') continue; // no retry or breaker library's option: nothing to point at per call
  if (where === ATTEMPTS || where === MAX_ATTEMPTS) perCallPeers[key] = `${where}, a client option (createClient, reconfigure); ${NO_CALL_RETRY}`;
  else if (where === BACKOFF) perCallPeers[key] = `${where}, a client option (createClient, reconfigure)`;
  else perCallPeers[key] = where.startsWith('did you mean') ? where : `${where}, a client option (createClient)`;
}
// grpc-js's per-call deadline (a Date or ms since the epoch): a gRPC method's call takes a timeout instead.
perCallPeers.deadline = "grpc-js's `deadline` is `timeout: { total }` here, in ms from when the call starts (bulwark sets each attempt's deadline)";

/** The health options that may change while the client runs. */
export type LiveHealthKey = 'ejectionTime' | 'maxEjectionTime' | 'maxEjectionPercent' | 'panicThreshold' | 'probes';

/** The options a live document (`reconfigure`, `watchConfig`) may hold: these, and of `health` only {@link LIVE_HEALTH}. */
export const LIVE_TOP: readonly string[] = ['timeout', 'retry', 'hedge', 'health'];
export const LIVE_HEALTH: readonly LiveHealthKey[] = ['ejectionTime', 'maxEjectionTime', 'maxEjectionPercent', 'panicThreshold', 'probes'];

/** Where a client option `path.key` can be given: `reconfigure` too when it may change live. */
function clientOption(path: string, key: string): string {
  const live = LIVE_TOP.includes(path) && (path !== 'health' || (LIVE_HEALTH as readonly string[]).includes(key));
  return `\`${path}.${key}\` is a client option (${live ? 'createClient, reconfigure' : 'createClient; it cannot change while the client runs'})`;
}

/**
 * The keys of createClient's nested options given at the top of one call's options (`{ attempts:
 * 1 }` for a call that must go once), with where each one is: a call's own `timeout` or `hedge`,
 * or a client option. Refused by `fetch` too, which would otherwise pass them to the fetch
 * function, which ignores them. Not `size` (`subset.size`): node-fetch, a fetch function a
 * client may be given, takes a `size` of its own.
 */
const perCallNested: Record<string, string> = {};
for (const [path, keys] of Object.entries(nested)) {
  if (path.includes('.')) continue;
  for (const key of keys) {
    if (key === 'size' || Object.hasOwn(call, key) || Object.hasOwn(perCallPeers, key)) continue;
    const where = Object.hasOwn(call, path) ? `did you mean \`${path}.${key}\`?` : `${clientOption(path, key)}${path === 'retry' ? `; ${NO_CALL_RETRY}` : ''}`;
    perCallNested[key] = perCallNested[key] === undefined ? where : `${perCallNested[key]}; or ${where}`;
  }
}

/**
 * One call's options (`execute`, a gRPC method, `fetch`'s bulwark part). `metadata` is let
 * through unnamed: createGrpcClient's methods pass their options, `metadata` included, through
 * the same validation as `execute`'s (the gRPC transport checks it).
 */
export const CALL_KEYS: KeySet = { known: Object.keys(call), what: 'a per-call option', elsewhere: { ...perCallNested, ...perCallPeers, ...clientOnly } };

/** A `bulwark/grpc` call's options: the per-call ones, and the request `metadata` (checked by the gRPC transport). */
export const GRPC_CALL_KEYS: KeySet = { ...CALL_KEYS, accepted: ['metadata'] };

/** `RequestInit`'s keys (WHATWG fetch, plus Node's `duplex` and `dispatcher`), which `fetch` passes to the fetch function. */
export const REQUEST_INIT_KEYS: readonly string[] = [
  'body', 'cache', 'credentials', 'headers', 'integrity', 'keepalive', 'method', 'mode', 'priority',
  'redirect', 'referrer', 'referrerPolicy', 'signal', 'window', 'duplex', 'dispatcher',
];
