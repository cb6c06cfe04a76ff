// The options of etcdRegistration (README, "etcd") and their checks: what a registration is
// given, what it offers, and the defaults.
import { checkKeys, tableKeys, type Table } from '../config/keys.js';
import type { SourceBackoff } from '../discovery/support.js';
import { ConfigError } from '../errors.js';
import type { EtcdClient } from './follow.js';
import { checkBackoff, checkClient, checkCount, checkKey, type SourceDelays } from './options.js';
import { endpointKey, toRecordText, type EtcdEndpointInit } from './record.js';

/** Options of {@link etcdRegistration}. */
export interface EtcdRegistrationOptions {
  /** Your etcd3 client (`new Etcd3({ hosts })`, or a `namespace()` of one). bulwark never creates, nor closes, one. */
  readonly client: EtcdClient;
  /** The prefix the service's discoverers watch, e.g. `'services/users/'`. */
  readonly prefix: string;
  /** This instance: a record `{ host, port, protocol?, weight?, priority?, zone?, metadata?, basePath? }` or a URL `'http://10.0.0.1:8080'`. No credentials. */
  readonly endpoint: EtcdEndpointInit;
  /** The full key of the entry; default `prefix + 'host:port'` (the `service/addr` keys of etcd's gRPC naming endpoints manager). */
  readonly key?: string | undefined;
  /** Lease TTL, whole seconds; default 10 (the service-discovery example of etcd3's `Lease`). A crashed instance stays listed at most this long; etcd3 sends keep-alives every TTL/3 (as etcd's Go client does). */
  readonly ttl?: number | undefined;
  /** Backoff between attempts after etcd failed; default 1 s doubling to 30 s, jittered (every bulwark adapter's backoff). */
  readonly backoff?: SourceBackoff | undefined;
  /** Hears every failure (etcd unreachable, lease lost, entry overwritten without a lease, revoke failed); default: none. The registration keeps trying by itself. */
  readonly onError?: ((err: Error) => void) | undefined;
}

/** A running registration: see {@link etcdRegistration}. */
export interface EtcdRegistration {
  /** The etcd key of this instance's entry. */
  readonly key: string;
  /** Whether the entry is in etcd now, as far as this process knows. */
  readonly registered: boolean;
  /** Resolves `true` once the entry was first written, `false` if stopped before. */
  readonly ready: Promise<boolean>;
  /** Rewrites the entry (same key) with a new description; resolves `true` once written, `false` if stopped before. Throws `ConfigError` for an invalid one. */
  update(endpoint: EtcdEndpointInit): Promise<boolean>;
  /** Revokes the lease (etcd deletes the entry at once) and stops keep-alives and retries. */
  stop(): Promise<void>;
}

/** Default lease TTL, seconds. */
export const ETCD_DEFAULT_TTL = 10;

/** Who names a registration's errors. */
export const SERVICE = 'etcdRegistration';
const KEYS = tableKeys({
  client: true, prefix: true, endpoint: true, key: true, ttl: true, backoff: true, onError: true,
} satisfies Table<EtcdRegistrationOptions>, `an option of ${SERVICE}`);
/** The checked options of a registration. */
export interface RegistrationSettings {
  readonly client: EtcdClient;
  readonly key: string;
  /** The entry's record, as written. */
  readonly value: string;
  readonly ttl: number;
  readonly backoff: SourceDelays;
  readonly onError: (err: Error) => void;
}

/**
 * Checks a registration's options: a `ConfigError` names the first that is wrong.
 *
 * @example
 * const settings = resolveRegistrationOptions({ client, prefix: 'services/users/', endpoint: 'http://10.0.0.7:8080' });
 */
export function resolveRegistrationOptions(options: EtcdRegistrationOptions): RegistrationSettings {
  if (options === null || typeof options !== 'object') throw new ConfigError(SERVICE, 'options', 'must be an object { client, prefix, endpoint }', options);
  checkKeys(SERVICE, options, '', KEYS);
  const client = checkClient(SERVICE, options.client);
  const prefix = checkKey(SERVICE, 'prefix', options.prefix);
  const record = toRecordText(SERVICE, 'endpoint', options.endpoint);
  const key = options.key === undefined ? `${prefix}${endpointKey(record.parsed)}` : checkKey(SERVICE, 'key', options.key);
  // Discoverers watch the prefix: an entry elsewhere would be registered, and found by no one.
  if (!key.startsWith(prefix) || key === prefix) throw new ConfigError(SERVICE, 'key', `must be a key under prefix "${prefix}"`, key);
  const ttl = checkCount(SERVICE, 'ttl', options.ttl, ETCD_DEFAULT_TTL, 86_400);
  const backoff = checkBackoff(SERVICE, options.backoff);
  const onError = options.onError;
  if (onError !== undefined && typeof onError !== 'function') throw new ConfigError(SERVICE, 'onError', 'must be a function', onError);
  return { client, key, value: record.text, ttl, backoff, onError: onError ?? (() => {}) };
}
