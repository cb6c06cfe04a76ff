// eurekaDiscovery's and eurekaRegistration's options, their defaults (with their sources) and validation.
import { checkKeys, tableKeys, type KeySet, type Table } from '../config/keys.js';
import { ConfigError } from '../errors.js';
import { checkMs, checkSourceBackoff, type SourceBackoff, type SourceDelays } from '../discovery/support.js';
import { HEADER_VALUE_RULE, isHeaderName, isHeaderValue, type FetchFnOption } from '../discovery/http-source.js';
import { checkServers } from './servers.js';

/** Which port of an instance to call: `'prefer'` the secure one when it is enabled (https), `'only'` secure ones, `'never'` the plain one (http). */
export type EurekaSecurePort = 'prefer' | 'only' | 'never';

/** What both Eureka functions share. */
export interface EurekaConnection {
  /**
   * Eureka's service URL, with its path: one server, e.g. `'http://eureka:8761/eureka'`, or
   * several, as an array or comma-separated as Spring Cloud's `eureka.client.serviceUrl.defaultZone`
   * writes them, e.g. `'http://peer1:8761/eureka,http://peer2:8761/eureka'`. Requests go to the
   * first; a network error, a timeout or a 5xx moves on to the next, and the server that answered
   * is used until it fails (as Eureka client's `RetryableEurekaHttpClient` does). Required: no
   * default. No userinfo: pass `headers`.
   */
  readonly url: string | readonly string[];
  /** The application name; Eureka upper-cases it. */
  readonly app: string;
  /** Extra request headers (an `Authorization` for a secured server), as an object, a `Headers` or a `Map`; never shown in events or errors. */
  readonly headers?: Record<string, string> | Headers | ReadonlyMap<string, string> | undefined;
  /** Time allowed per request, ms; default 8 000 (Eureka client's `eurekaServerReadTimeoutSeconds`). */
  readonly timeout?: number | undefined;
  /** Backoff after a failed request; default 1 s doubling to 30 s, jittered (every bulwark adapter's backoff). */
  readonly backoff?: SourceBackoff | undefined;
  /** The `fetch` to use; default the global `fetch`. */
  readonly fetch?: FetchFnOption | undefined;
}

/** Options of {@link eurekaDiscovery}. */
export interface EurekaDiscoveryOptions extends EurekaConnection {
  /** Refresh interval, ms; default 30 000 (Eureka client's `registryFetchIntervalSeconds`). */
  readonly interval?: number | undefined;
  /**
   * Fetch deltas (`/apps/delta`) after a first full fetch of the whole registry (`/apps`), checked
   * against `apps__hashcode` as Eureka's client does; default `false`: fetch `/apps/{APP}` each
   * time, as Eureka's client does when it watches a single VIP (`registryRefreshSingleVipAddress`).
   */
  readonly delta?: boolean | undefined;
  /** Which port to call; default `'prefer'` (Spring Cloud's `EurekaServiceInstance`: https when the secure port is enabled). */
  readonly secure?: EurekaSecurePort | undefined;
  /** Call `hostName` instead of `ipAddr`; default `false` (`ipAddr`, falling back to `hostName` when empty). */
  readonly useHostName?: boolean | undefined;
  /**
   * Only instances that serve this VIP, e.g. `'orders'`; default: all. An instance's `vipAddress`
   * (its plain port) or `secureVipAddress` (its secure port) names it as Eureka reads them (a
   * comma-separated list, case-insensitive). With `secure: 'prefer'`, the secure port is used
   * when `secureVipAddress` names it, else the plain port when `vipAddress` does (Eureka's
   * `getInstancesByVipAddress(vip, false)` lists an instance under its plain VIP whatever its
   * secure port).
   */
  readonly vipAddress?: string | undefined;
  /** Largest response read, bytes; default 32 MiB. */
  readonly maxResponseBytes?: number | undefined;
}

/** The instance a service registers; Eureka's `InstanceInfo` fields. */
export interface EurekaInstance {
  /** Unique id; default `hostName:app:port` (Spring Cloud's default instance id). */
  readonly instanceId?: string | undefined;
  readonly hostName: string;
  readonly ipAddr: string;
  /** Plain (http) port; at least one of `port` and `securePort`. */
  readonly port?: number | undefined;
  readonly securePort?: number | undefined;
  /** Default: the app name in lower case (Spring Cloud's default). */
  readonly vipAddress?: string | undefined;
  readonly secureVipAddress?: string | undefined;
  readonly metadata?: Record<string, string> | undefined;
  readonly homePageUrl?: string | undefined;
  readonly statusPageUrl?: string | undefined;
  readonly healthCheckUrl?: string | undefined;
}

/** Options of {@link eurekaRegistration}. */
export interface EurekaRegistrationOptions extends EurekaConnection {
  readonly instance: EurekaInstance;
  /** Heartbeat interval, ms; default 30 000 (Eureka's `leaseRenewalIntervalInSeconds`). */
  readonly heartbeatInterval?: number | undefined;
  /** Lease duration told to Eureka, ms (sent in whole seconds); default 90 000 (Eureka's `leaseExpirationDurationInSeconds`). */
  readonly leaseDuration?: number | undefined;
  /** Hears every failed registration, heartbeat or deregistration. */
  readonly onError?: ((error: unknown) => void) | undefined;
}

const CONNECTION = { url: true, app: true, headers: true, timeout: true, backoff: true, fetch: true } satisfies Table<EurekaConnection>;

/** The keys of {@link EurekaDiscoveryOptions}. */
export const DISCOVERY_KEYS: KeySet = tableKeys({
  ...CONNECTION, interval: true, delta: true, secure: true, useHostName: true, vipAddress: true, maxResponseBytes: true,
} satisfies Table<EurekaDiscoveryOptions>, 'an option of eurekaDiscovery');

/** The keys of {@link EurekaRegistrationOptions}. */
export const REGISTRATION_KEYS: KeySet = tableKeys({
  ...CONNECTION, instance: true, heartbeatInterval: true, leaseDuration: true, onError: true,
} satisfies Table<EurekaRegistrationOptions>, 'an option of eurekaRegistration');

/** The keys of {@link EurekaInstance}; its `metadata` is the user's own map, sent as it is. */
export const INSTANCE_KEYS: KeySet = tableKeys({
  instanceId: true, hostName: true, ipAddr: true, port: true, securePort: true, vipAddress: true, secureVipAddress: true,
  metadata: true, homePageUrl: true, statusPageUrl: true, healthCheckUrl: true,
} satisfies Table<EurekaInstance>, 'an option of `instance`');

/** Defaults of the Eureka options. */
export const EUREKA_DEFAULTS: Readonly<{ interval: number; delta: boolean; secure: EurekaSecurePort; useHostName: boolean; timeout: number; maxResponseBytes: number; heartbeatInterval: number; leaseDuration: number }> = Object.freeze({
  interval: 30_000,
  delta: false,
  secure: 'prefer',
  useHostName: false,
  timeout: 8_000,
  maxResponseBytes: 32 * 1024 * 1024,
  heartbeatInterval: 30_000,
  leaseDuration: 90_000,
});

/** The shared options, resolved. */
export interface ResolvedConnection {
  /** The Eureka servers' base URLs, in the order given (servers.ts). */
  readonly servers: readonly string[];
  readonly app: string;
  readonly headers: Record<string, string>;
  readonly timeout: number;
  readonly backoff: SourceDelays;
  readonly fetch: FetchFnOption;
}

/**
 * Validates the options both Eureka functions share, after checking every key of `o` is one of
 * `keys` (the function's own); throws ConfigError naming the option. `headers` are the user's
 * header names: their keys are not checked.
 */
export function resolveConnection(who: string, o: EurekaConnection, keys: KeySet): ResolvedConnection {
  if (o === null || typeof o !== 'object') throw new ConfigError(who, 'options', 'must be an object', o);
  checkKeys(who, o, '', keys);
  const servers = checkServers(who, o.url);
  // "." and ".." would be dot segments of the URLs built from it.
  if (typeof o.app !== 'string' || !/^[A-Za-z0-9._-]+$/.test(o.app) || /^\.\.?$/.test(o.app)) throw new ConfigError(who, 'app', 'must be an application name (letters, digits, ".", "_", "-"; not "." or "..")', o.app);
  const headers: Record<string, string> = {};
  if (o.headers !== undefined) {
    for (const [k, v] of headerEntries(who, o.headers)) {
      if (!isHeaderName(k)) throw new ConfigError(who, `headers.${k}`, "must be a header name (letters, digits and !#$%&'*+-.^_`|~)", k);
      if (!isHeaderValue(v)) throw new ConfigError(who, `headers.${k}`, HEADER_VALUE_RULE, '(hidden)');
      headers[k.toLowerCase()] = v;
    }
  }
  const fetchFn = o.fetch ?? ((input: string, init: RequestInit) => globalThis.fetch(input, init));
  if (typeof fetchFn !== 'function') throw new ConfigError(who, 'fetch', 'must be a function', fetchFn);
  return {
    servers, app: o.app.toUpperCase(), headers, fetch: fetchFn,
    timeout: ms(who, 'timeout', o.timeout ?? EUREKA_DEFAULTS.timeout, 1),
    backoff: checkSourceBackoff(who, o.backoff),
  };
}

/** A number of ms from `min` to one hour (bulwark's shared ms check). */
export function ms(who: string, path: string, value: unknown, min: number, max = 3_600_000): number {
  return checkMs(who, path, value, undefined, { min, max });
}

/**
 * The `[name, value]` pairs of the `headers` option: a plain object's own entries, or what a
 * `Headers` (Node's, undici's, node-fetch's) or a `Map` yields. Anything else is a ConfigError:
 * read as an object it would give no header at all, and a credential would go missing unsaid.
 */
function headerEntries(who: string, headers: unknown): Iterable<[string, unknown]> {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) throw new ConfigError(who, 'headers', 'must be an object of strings, a Headers or a Map', typeof headers);
  const proto: unknown = Object.getPrototypeOf(headers);
  if (proto === Object.prototype || proto === null) return Object.entries(headers);
  const entries = (headers as { entries?: unknown }).entries;
  if (typeof entries !== 'function') throw new ConfigError(who, 'headers', 'must be an object of strings, a Headers or a Map', typeof headers);
  const pairs: [string, unknown][] = [];
  for (const pair of entries.call(headers) as Iterable<unknown>) {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string') throw new ConfigError(who, 'headers', 'must yield [name, value] pairs', typeof headers);
    pairs.push([pair[0], pair[1]]);
  }
  return pairs;
}
