// consulDiscovery's options, their defaults (with where each comes from) and their validation.
import { checkKeys, tableKeys, type Table } from '../config/keys.js';
import { ConfigError } from '../errors.js';
import { checkBytes, checkMs, checkSourceBackoff, type SourceBackoff, type SourceDelays } from '../discovery/support.js';
import { checkBaseUrl, HEADER_VALUE_RULE, isHeaderValue, type FetchFnOption } from '../discovery/http-source.js';

/** Options of {@link consulDiscovery}. */
export interface ConsulDiscoveryOptions {
  /** The Consul service name, as registered. */
  readonly service: string;
  /** The Consul agent's HTTP address; default `'http://127.0.0.1:8500'` (the agent's default `addresses.http` and port). No userinfo. */
  readonly url?: string | undefined;
  /** ACL token, sent as the `X-Consul-Token` header only (never in a URL, an event or an error). */
  readonly token?: string | undefined;
  /** Datacenter to query (`?dc=`); default: the agent's own. */
  readonly datacenter?: string | undefined;
  /** Only instances carrying every one of these tags (`?tag=`, case-insensitive as in Consul). */
  readonly tags?: readonly string[] | undefined;
  /** Only instances whose checks all pass (`?passing`); default `true`. When `false`, warning instances are kept at their `Weights.Warning`, critical ones are still dropped (as Consul's DNS interface does). */
  readonly passingOnly?: boolean | undefined;
  /** Blocking-query `wait`, ms; default 60 000 (consul-template's `block_query_wait`); at most 600 000 (Consul's limit), and 280 000 with Node's own fetch (it waits 300 s at most for an answer's headers). */
  readonly wait?: number | undefined;
  /** Time allowed for a non-blocking request, and added to `wait + wait/16` (Consul's jitter) for a blocking one, ms; default 10 000. */
  readonly timeout?: number | undefined;
  /** Least time between the starts of two requests, ms (at least 1), so a server that answers at once cannot spin the loop; default 100 (consul-template's rate limit). */
  readonly minInterval?: number | undefined;
  /** Backoff after a failed request; default 1 s doubling to 30 s, jittered (every bulwark adapter's backoff). */
  readonly backoff?: SourceBackoff | undefined;
  /** Scheme of the endpoints made; default `'http'`. */
  readonly protocol?: string | undefined;
  /** `Service.Meta` (then `Node.Meta`) key whose value becomes the endpoint's zone; default `'zone'`. */
  readonly zoneMetaKey?: string | undefined;
  /** Largest response read, bytes; default 32 MiB. */
  readonly maxResponseBytes?: number | undefined;
  /** The `fetch` to use; default the global `fetch`. */
  readonly fetch?: FetchFnOption | undefined;
}

const CONSUL_KEYS = tableKeys({
  service: true, url: true, token: true, datacenter: true, tags: true, passingOnly: true, wait: true, timeout: true,
  minInterval: true, backoff: true, protocol: true, zoneMetaKey: true, maxResponseBytes: true, fetch: true,
} satisfies Table<ConsulDiscoveryOptions>, 'an option of consulDiscovery');

/** The options with every default filled in. */
export interface ResolvedConsulOptions {
  readonly service: string;
  readonly url: string;
  readonly token: string | undefined;
  readonly datacenter: string | undefined;
  readonly tags: readonly string[];
  readonly passingOnly: boolean;
  readonly wait: number;
  readonly timeout: number;
  readonly minInterval: number;
  readonly backoff: SourceDelays;
  readonly protocol: string;
  readonly zoneMetaKey: string;
  readonly maxResponseBytes: number;
  readonly fetch: FetchFnOption;
}

/** Defaults of {@link ConsulDiscoveryOptions}. */
export const CONSUL_DEFAULTS: Readonly<{ url: string; passingOnly: boolean; wait: number; timeout: number; minInterval: number; protocol: string; zoneMetaKey: string; maxResponseBytes: number }> = Object.freeze({
  url: 'http://127.0.0.1:8500',
  passingOnly: true,
  wait: 60_000,
  timeout: 10_000,
  minInterval: 100,
  protocol: 'http',
  zoneMetaKey: 'zone',
  maxResponseBytes: 32 * 1024 * 1024,
});

/** Consul's longest blocking wait (its docs: "limited to 10 minutes"). */
const MAX_WAIT = 600_000;
/**
 * The longest wait with Node's own fetch: undici gives up on a response's headers after 300 s
 * (its `headersTimeout`), and Consul answers a blocking query after up to `wait + wait/16`.
 */
const MAX_WAIT_NODE_FETCH = 280_000;
const HOUR = 3_600_000;
const WHO = 'consulDiscovery';

/**
 * Validates the options and fills in the defaults.
 * @throws ConfigError naming the option (a token's value is never shown), or a key that is no
 * option (suggesting a near one).
 */
export function resolveConsulOptions(options: ConsulDiscoveryOptions): ResolvedConsulOptions {
  if (options === null || typeof options !== 'object') throw new ConfigError(WHO, 'options', 'must be an object', options);
  checkKeys(WHO, options, '', CONSUL_KEYS);
  const { service, token, datacenter, tags } = options;
  if (typeof service !== 'string' || service === '' || /[/?#\s]/.test(service)) throw new ConfigError(WHO, 'service', 'must be a Consul service name (no "/", "?", "#" or spaces)', service);
  // The name is a segment of the request's path: fetch's URL parser resolves "." and ".." there
  // (percent-encoded too) as dot segments, and the request would go to another Consul endpoint.
  if (service === '.' || service === '..') throw new ConfigError(WHO, 'service', 'must be a Consul service name, not "." or ".." (a URL path takes them as dot segments: the request would go to another Consul endpoint)', service);
  const url = checkBaseUrl(options.url ?? CONSUL_DEFAULTS.url, WHO);
  if (token !== undefined && !isHeaderValue(token)) throw new ConfigError(WHO, 'token', HEADER_VALUE_RULE, typeof token === 'string' ? '(hidden)' : typeof token);
  if (datacenter !== undefined && (typeof datacenter !== 'string' || datacenter === '')) throw new ConfigError(WHO, 'datacenter', 'must be a non-empty string', datacenter);
  if (tags !== undefined && (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || t === ''))) throw new ConfigError(WHO, 'tags', 'must be an array of non-empty strings', tags);
  const passingOnly = options.passingOnly ?? CONSUL_DEFAULTS.passingOnly;
  if (typeof passingOnly !== 'boolean') throw new ConfigError(WHO, 'passingOnly', 'must be a boolean', passingOnly);
  const wait = checkMs(WHO, 'wait', options.wait, CONSUL_DEFAULTS.wait, { max: MAX_WAIT });
  if (options.fetch === undefined && wait > MAX_WAIT_NODE_FETCH) {
    throw new ConfigError(WHO, 'wait', `must be at most ${MAX_WAIT_NODE_FETCH} ms with Node's own fetch, which gives up waiting for an answer's headers after 300 s (Consul answers after up to wait + wait/16); for longer waits pass a \`fetch\` without that limit`, wait);
  }
  const timeout = checkMs(WHO, 'timeout', options.timeout, CONSUL_DEFAULTS.timeout, { max: HOUR });
  // At least 1 ms: with 0, a server that answers at once with a new index would spin the loop.
  const minInterval = checkMs(WHO, 'minInterval', options.minInterval, CONSUL_DEFAULTS.minInterval, { max: HOUR });
  const backoff = checkSourceBackoff(WHO, options.backoff);
  const protocol = options.protocol ?? CONSUL_DEFAULTS.protocol;
  if (typeof protocol !== 'string' || !/^[a-z][a-z0-9+.-]*:?$/i.test(protocol)) throw new ConfigError(WHO, 'protocol', "must be a URL scheme such as 'http' or 'https'", protocol);
  const zoneMetaKey = options.zoneMetaKey ?? CONSUL_DEFAULTS.zoneMetaKey;
  if (typeof zoneMetaKey !== 'string' || zoneMetaKey === '') throw new ConfigError(WHO, 'zoneMetaKey', 'must be a non-empty string', zoneMetaKey);
  const maxResponseBytes = checkBytes(WHO, 'maxResponseBytes', options.maxResponseBytes, CONSUL_DEFAULTS.maxResponseBytes);
  const fetchFn = options.fetch ?? ((input: string, init: RequestInit) => globalThis.fetch(input, init));
  if (typeof fetchFn !== 'function') throw new ConfigError(WHO, 'fetch', 'must be a function', fetchFn);
  return { service, url, token, datacenter, tags: [...(tags ?? [])], passingOnly, wait, timeout, minInterval, backoff, protocol, zoneMetaKey, maxResponseBytes, fetch: fetchFn };
}
