// Options of dnsDiscovery (docs/architecture.md, "Discovery adapters"): their defaults, their
// validation at creation (a ConfigError naming the option), and the refresh schedule, which is
// pure so that tests check it without a clock.
import { MAX_WEIGHT, MIN_WEIGHT } from '../endpoints/parse.js';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { checkKeys, tableKeys, type Table } from '../config/keys.js';
import { ConfigError } from '../errors.js';
import { redactUrl } from '../redact.js';
import { checkMs, checkSourceBackoff, type SourceBackoff, type SourceDelays } from './support.js';

/** What every dnsDiscovery takes, whether it reads A/AAAA or SRV records. */
export interface DnsCommonOptions {
  /** URL scheme of the endpoints: `'http'` (default), `'https'`, or any other for `execute`. */
  readonly protocol?: string | undefined;
  /** Path prefix of every endpoint, e.g. `/api`; default none. */
  readonly basePath?: string | undefined;
  /** Address family: 4 (A only), 6 (AAAA only) or 0 (both, the default, as grpc-js asks for both). */
  readonly family?: 0 | 4 | 6 | undefined;
  /** DNS servers (`'10.0.0.2'`, `'127.0.0.1:5353'`, `'[::1]:53'`); default the system's (/etc/resolv.conf). */
  readonly servers?: readonly string[] | undefined;
  /** Per-try query timeout, ms; default 2 000 (glibc waits 5 s; a refresh that fails is retried anyway). */
  readonly timeout?: number | undefined;
  /** Tries per server before a query fails; default 2 (glibc's resolv.conf `attempts:2`). */
  readonly tries?: number | undefined;
  /** Shortest time between refreshes, ms, whatever the TTL; default 5 000 (Envoy's `dns_refresh_rate`, CoreDNS's Kubernetes TTL). */
  readonly minInterval?: number | undefined;
  /** Longest time between refreshes, ms, whatever the TTL; default 30 000 (the JVM's `networkaddress.cache.ttl`, grpc-js's 30 s). */
  readonly maxInterval?: number | undefined;
  /** Backoff for re-trying a failed refresh; default 1 s doubling to 30 s, jittered. */
  readonly backoff?: SourceBackoff | undefined;
}

/** A host name whose A/AAAA records are the endpoints, all on one port. */
export interface DnsNameOptions extends DnsCommonOptions {
  /** The DNS name to resolve, e.g. `'api.internal'`. */
  readonly name: string;
  /** The port every address serves on (DNS A/AAAA records carry none). */
  readonly port: number;
  /** Weight of every endpoint; default 1. */
  readonly weight?: number | undefined;
}

/** An SRV name whose records give targets, ports, priorities and weights. */
export interface DnsSrvOptions extends DnsCommonOptions {
  /** The SRV name, e.g. `'_http._tcp.api.internal'`. */
  readonly srv: string;
  /** Longest time between SRV refreshes, ms (node:dns reports no TTL for SRV records); default 30 000, as `maxInterval`. */
  readonly interval?: number | undefined;
}

/** Options of {@link dnsDiscovery}: `{ name, port }` for A/AAAA records or `{ srv }` for SRV records. */
export type DnsDiscoveryOptions = DnsNameOptions | DnsSrvOptions;

/**
 * Every key of either form: which ones go together (`port` without `srv`, `interval` with it)
 * is checked with the values, so a key of the other form gets a message saying why.
 */
const DNS_KEYS = tableKeys({
  protocol: true, basePath: true, family: true, servers: true, timeout: true, tries: true, minInterval: true, maxInterval: true, backoff: true,
  name: true, port: true, weight: true, srv: true, interval: true,
} satisfies Table<DnsNameOptions & DnsSrvOptions>, 'an option of dnsDiscovery');

/** The validated options. */
export interface ResolvedDnsOptions {
  readonly kind: 'name' | 'srv';
  /** The name queried, lower case, without a trailing dot. */
  readonly query: string;
  readonly port: number;
  readonly weight: number;
  readonly protocol: string;
  readonly basePath: string;
  readonly family: 0 | 4 | 6;
  readonly servers: readonly string[] | undefined;
  readonly timeout: number;
  readonly tries: number;
  readonly minInterval: number;
  readonly maxInterval: number;
  readonly interval: number;
  readonly backoff: SourceDelays;
}

/** The defaults of {@link DnsCommonOptions} (sources on each option). */
export const DNS_DEFAULTS: {
  readonly family: 0; readonly timeout: 2_000; readonly tries: 2; readonly minInterval: 5_000; readonly maxInterval: 30_000;
} = Object.freeze({ family: 0, timeout: 2_000, tries: 2, minInterval: 5_000, maxInterval: 30_000 });

const SERVICE = 'dnsDiscovery';
function fail(path: string, expected: string, value: unknown): never {
  throw new ConfigError(SERVICE, path, expected, value);
}

function ms(obj: Record<string, unknown>, key: string, fallback: number): number {
  return checkMs(SERVICE, key, obj[key], fallback);
}

/** A DNS name as a query takes it: lower case, no trailing dot; a ConfigError otherwise. */
function dnsName(path: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') fail(path, 'must be a DNS name', value);
  const name = (value.endsWith('.') ? value.slice(0, -1) : value).toLowerCase();
  // Checked without the trailing dot: `127.0.0.1.` is an address too. So is any name whose last
  // label is a number (`127.1`, `0x7f.0.0.1`, `2130706433`): a URL parser, and so fetch and undici,
  // reads it as an IPv4 address (WHATWG URL's "ends in a number"), never as a name to look up.
  if (isIP(name) !== 0 || endsInANumber(name)) fail(path, 'must be a DNS name, not an address (list addresses with staticDiscovery)', value);
  if (!isDnsName(name)) fail(path, 'must be a DNS name (labels of letters, digits, - and _, at most 253 characters)', value);
  return name;
}

/** Whether the last label of `name` is a decimal or `0x` hexadecimal number (WHATWG URL: then the host is an IPv4 address). */
function endsInANumber(name: string): boolean {
  const last = name.slice(name.lastIndexOf('.') + 1);
  return /^(?:\d+|0x[0-9a-f]*)$/i.test(last);
}

/** True for a name of dot-separated labels of 1–63 letters, digits, `-` and `_` (SRV labels start with `_`), ≤ 253 characters. */
export function isDnsName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split('.').every((label) => /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/i.test(label));
}

/**
 * Validates dnsDiscovery's options; throws a ConfigError naming the first wrong one, or a key
 * that is no option (suggesting a near one).
 *
 * @example
 * resolveDnsOptions({ name: 'api.internal', port: 8080 }).minInterval; // 5000
 */
export function resolveDnsOptions(options: unknown): ResolvedDnsOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) fail('options', 'must be an object { name, port } or { srv }', options);
  checkKeys(SERVICE, options, '', DNS_KEYS);
  const o = options as Record<string, unknown>;
  const isSrv = o.srv !== undefined;
  if (isSrv && o.name !== undefined) fail('options', 'must have either "name" or "srv", not both', o);
  if (!isSrv && o.name === undefined) fail('options', 'must have "name" (with "port") or "srv"', o);
  const query = isSrv ? dnsName('srv', o.srv) : dnsName('name', o.name);
  let port = 0;
  let weight = 1;
  if (!isSrv) {
    if (typeof o.port !== 'number' || !Number.isInteger(o.port) || o.port < 1 || o.port > 65_535) fail('port', 'must be an integer from 1 to 65535', o.port);
    port = o.port;
    if (o.weight !== undefined && (typeof o.weight !== 'number' || !(o.weight >= MIN_WEIGHT && o.weight <= MAX_WEIGHT))) fail('weight', 'must be a number from 0.000001 to 1000000 (1e-6 to 1e6), as every endpoint weight', o.weight);
    weight = (o.weight as number | undefined) ?? 1;
  } else {
    if (o.port !== undefined) fail('port', 'is given by the SRV records; leave it out with "srv"', o.port);
    if (o.weight !== undefined) fail('weight', 'is given by the SRV records; leave it out with "srv"', o.weight);
  }
  const protocol = o.protocol ?? 'http';
  if (typeof protocol !== 'string' || !/^[a-z][a-z0-9+.-]*:?$/i.test(protocol)) fail('protocol', "must be a URL scheme such as 'http', 'https' or 'tcp'", protocol);
  const basePath = o.basePath ?? '';
  if (typeof basePath !== 'string') fail('basePath', 'must be a string', basePath);
  // Refused here rather than on every endpoint made from it; shown redacted (no query: it may hold a token).
  if (/[?#]/.test(basePath as string)) fail('basePath', 'must not have a query or fragment', redactUrl(basePath as string));
  const family = o.family ?? DNS_DEFAULTS.family;
  if (family !== 0 && family !== 4 && family !== 6) fail('family', 'must be 0, 4 or 6', family);
  const servers = o.servers;
  if (servers !== undefined) {
    if (!Array.isArray(servers) || servers.length === 0 || servers.some((s) => typeof s !== 'string')) fail('servers', 'must be a non-empty array of strings', servers);
    try {
      new Resolver().setServers(servers as string[]);
    } catch {
      fail('servers', "must be IP addresses with optional ports ('10.0.0.2', '127.0.0.1:5353', '[::1]:53')", servers);
    }
  }
  const timeout = ms(o, 'timeout', DNS_DEFAULTS.timeout);
  const tries = o.tries ?? DNS_DEFAULTS.tries;
  if (typeof tries !== 'number' || !Number.isInteger(tries) || tries < 1 || tries > 100) fail('tries', 'must be an integer from 1 to 100', tries);
  const minInterval = ms(o, 'minInterval', DNS_DEFAULTS.minInterval);
  const maxInterval = ms(o, 'maxInterval', Math.max(DNS_DEFAULTS.maxInterval, minInterval));
  if (maxInterval < minInterval) fail('maxInterval', `must be ≥ minInterval (${minInterval})`, maxInterval);
  if (!isSrv && o.interval !== undefined) fail('interval', 'applies to SRV names only (A/AAAA refreshes follow the TTL)', o.interval);
  const interval = ms(o, 'interval', maxInterval);
  const backoff = checkSourceBackoff(SERVICE, o.backoff);
  return {
    kind: isSrv ? 'srv' : 'name', query, port, weight, protocol, basePath, family,
    servers: servers === undefined ? undefined : Object.freeze([...(servers as string[])]),
    timeout, tries, minInterval, maxInterval, interval, backoff,
  };
}

/**
 * When to refresh next, ms from now: at the shortest TTL (seconds) of the answer, but no sooner
 * than `minInterval` and no later than `maxInterval`. An answer without a TTL (SRV) refreshes
 * after `maxInterval`.
 *
 * @example
 * refreshDelay(1, { minInterval: 5_000, maxInterval: 30_000 });    // 5000
 * refreshDelay(3600, { minInterval: 5_000, maxInterval: 30_000 }); // 30000
 */
export function refreshDelay(ttlSeconds: number | undefined, limits: { readonly minInterval: number; readonly maxInterval: number }): number {
  if (ttlSeconds === undefined || !Number.isFinite(ttlSeconds)) return limits.maxInterval;
  return Math.min(limits.maxInterval, Math.max(limits.minInterval, ttlSeconds * 1_000));
}

/**
 * When to re-read an SRV name: after `interval` (node:dns reports no SRV TTL), or sooner when
 * a target's address TTL (seconds) runs out, but no sooner than `minInterval` unless
 * `interval` itself is shorter.
 *
 * @example
 * srvRefreshDelay(undefined, { minInterval: 5_000, interval: 30_000 }); // 30000
 * srvRefreshDelay(10, { minInterval: 5_000, interval: 30_000 });        // 10000
 */
export function srvRefreshDelay(targetTtlSeconds: number | undefined, o: { readonly minInterval: number; readonly interval: number }): number {
  return refreshDelay(targetTtlSeconds, { minInterval: Math.min(o.minInterval, o.interval), maxInterval: o.interval });
}
