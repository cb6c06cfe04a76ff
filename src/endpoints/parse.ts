import type { EndpointInit } from './endpoint.js';
import { redactKey, redactUrl, splitUserinfo } from '../redact.js';
import { isPlainPath, readSimple, simpleHost } from './simple-url.js';
import { closeKey } from '../config/keys.js';
import { AMBIGUOUS_USERINFO, SCHEME_WITHOUT_SLASHES, basicAuthorization, readsAsAuthority, startsLikeScheme } from './userinfo.js';

/** The validated, normalised form of an {@link EndpointInit}. */
export interface ParsedEndpoint {
  id: string;
  /** The scheme, lower case with its colon: `'http:'`, `'https:'`, `'redis:'`, … */
  protocol: string;
  host: string;
  port: number;
  basePath: string;
  weight: number;
  priority: number;
  zone: string | undefined;
  metadata: Readonly<Record<string, string>>;
  authorization: string | undefined;
}

/** Why an endpoint description was rejected: what was wrong, with the offending field. */
export class EndpointParseError extends Error {
  readonly field: string;
  readonly expected: string;
  readonly value: unknown;
  constructor(field: string, expected: string, value: unknown) {
    super(`${field} ${expected}`);
    this.field = field;
    this.expected = expected;
    this.value = value;
  }
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The range of an endpoint's `weight`: a relative capacity, so the bounds only keep every
 * picker's arithmetic finite and exact enough, with room to spare, for up to 100 000 endpoints
 * (and any ratio between two real endpoints' capacities, 10^12, fits in it). At 1e6, ringHash's
 * `ringSize × weight` is at most 8 388 608 × 1e6 ≈ 8.4e12 points before the ring halves its
 * counts (≈ 8.4e17 for 100 000 such endpoints), leastRequest's sum of weights at most 1e11,
 * peakEwma's `(inflight + 1) × weight` products far from overflow; at 1e-6, weightedRoundRobin's
 * `1 / weight` is 1e6. Unbounded, 1e306 made the ring's count overflow and its halving never end,
 * 1e308s overflowed the weighted draw's sum, and 1e-310 made `1 / weight` Infinity. DNS SRV
 * weights (0–65535; a 0 becomes a hundredth of the smallest, shared among a target's addresses)
 * fall well inside.
 */
export const MIN_WEIGHT = 1e-6;
/** See {@link MIN_WEIGHT}. */
export const MAX_WEIGHT = 1e6;

/**
 * Parses and validates one endpoint description.
 *
 * @example
 * parseEndpoint('http://10.0.0.1:8080/api'); // { id: 'http://10.0.0.1:8080/api', basePath: '/api', … }
 * parseEndpoint('10.0.0.2:9000');            // protocol http:, basePath ''
 * parseEndpoint('redis://cache:6379');       // protocol redis: (any scheme but http and https needs a port)
 * @throws EndpointParseError naming the field that was wrong.
 */
export function parseEndpoint(init: EndpointInit): ParsedEndpoint {
  return parse(init, true);
}

/**
 * {@link parseEndpoint} without its hand-written readers, every string and host through the URL
 * parser: the reference they must agree with. For tests.
 *
 * @example
 * expect(parseEndpoint(text)).toEqual(parseEndpointByUrl(text));
 */
export function parseEndpointByUrl(init: EndpointInit): ParsedEndpoint {
  return parse(init, false);
}

function parse(init: EndpointInit, fast: boolean): ParsedEndpoint {
  if (typeof init === 'string') return parseEndpointString(init, fast);
  // A URL object (fetch takes one wherever it takes a string) is the URL it holds, not an object
  // form whose `host` has the port in it.
  // (Not in EndpointInit's type, whose object form it would blur; JavaScript callers pass one.)
  if ((init as unknown) instanceof URL) return parseEndpointString((init as unknown as URL).href, fast);
  if (init === null || typeof init !== 'object') {
    throw new EndpointParseError('', 'must be a string or an object { host, port }', init);
  }
  checkFields(init);
  const protocol = normaliseProtocol(init.protocol ?? 'http');
  const host = checkHost(init.host, fast);
  const port = checkPort(init.port);
  const basePath = objectBasePath(init.basePath ?? '', fast);
  const weight = init.weight ?? 1;
  if (typeof weight !== 'number' || !(weight >= MIN_WEIGHT && weight <= MAX_WEIGHT)) {
    throw new EndpointParseError('.weight', 'must be a number from 0.000001 to 1000000 (1e-6 to 1e6)', weight);
  }
  const priority = init.priority ?? 0;
  if (!Number.isInteger(priority) || priority < 0) {
    throw new EndpointParseError('.priority', 'must be an integer ≥ 0', priority);
  }
  if (init.zone !== undefined && typeof init.zone !== 'string') {
    throw new EndpointParseError('.zone', 'must be a string', init.zone);
  }
  let metadata = EMPTY;
  if (init.metadata !== undefined) {
    if (init.metadata === null || typeof init.metadata !== 'object' || Array.isArray(init.metadata)) {
      throw new EndpointParseError('.metadata', 'must be an object of strings', init.metadata);
    }
    for (const [k, v] of Object.entries(init.metadata)) {
      if (typeof v !== 'string') throw new EndpointParseError(`.metadata.${redactKey(k)}`, 'must be a string', v);
    }
    metadata = Object.freeze({ ...init.metadata });
  }
  return {
    id: makeId(protocol, host, port, basePath),
    protocol, host, port, basePath, weight, priority, zone: init.zone, metadata, authorization: undefined,
  };
}

/** The fields of an endpoint object. */
const FIELDS: readonly string[] = ['host', 'port', 'protocol', 'weight', 'priority', 'zone', 'metadata', 'basePath'];

/** A key that is no field (`wieght`, `priorty`, `url`) is refused: a typo would silently keep a default. */
function checkFields(init: object): void {
  for (const key of Object.keys(init)) {
    if (FIELDS.includes(key)) continue;
    const near = closeKey(key, FIELDS);
    const hint = near !== undefined ? ` (did you mean \`${near}\`?)` : key === 'url' ? ' (give the URL itself as the endpoint, a string)' : '';
    throw new EndpointParseError(`.${key}`, `is not a field of an endpoint (${FIELDS.join(', ')})${hint}`, (init as Record<string, unknown>)[key]);
  }
}

function parseEndpointString(text: string, fast: boolean): ParsedEndpoint {
  const trimmed = text.trim();
  if (trimmed === '') throw new EndpointParseError('', 'must not be empty', text);
  const { prefix, userinfo, rest } = splitUserinfo(trimmed);
  if (userinfo !== undefined && readsAsAuthority(userinfo)) {
    // The credentials could be meant for another host than the one after the last `@`: refuse
    // rather than guess. The value shown is what every error shows, the text without userinfo.
    throw new EndpointParseError('', AMBIGUOUS_USERINFO, redactUrl(trimmed));
  }
  // `https:/user:pw@host` has no `scheme://` prefix: read as userinfo, it would make an http
  // endpoint sending `https:/user:pw` as Basic credentials in clear text. Refused, redacted.
  if (prefix === '' && userinfo !== undefined && startsLikeScheme(userinfo)) {
    throw new EndpointParseError('', SCHEME_WITHOUT_SLASHES, redactUrl(trimmed));
  }
  const protocol = prefix === '' ? 'http:' : normaliseProtocol(prefix.slice(0, -2));
  // Most endpoint strings are plain `host:port[/path]`: read those by hand, exactly as the URL
  // parser would; anything else (IPv6, escapes, dot segments, odd hosts) goes to the URL parser.
  const simple = fast ? readSimple(rest, prefix !== '') : undefined;
  if (simple !== undefined) {
    const port = simple.port ?? defaultPort(protocol);
    const basePath = normaliseBasePath(simple.path);
    return {
      id: `${protocol}//${simple.host}:${port}${basePath}`,
      protocol, host: simple.host, port, basePath, weight: 1, priority: 0, zone: undefined, metadata: EMPTY,
      authorization: basicAuthorization(userinfo),
    };
  }
  // Every error carries the redacted text: the raw one may hold a password.
  const malformed = (): EndpointParseError => new EndpointParseError('', "must be 'scheme://host:port/base' or 'host:port'", redactUrl(trimmed));
  if (prefix === '' && !/^(\[[^\]]+\]|[^:/]+):\d+(\/|$)/.test(rest)) throw malformed();
  // A port the URL parser refuses for being over 65535: say that it is the port (one digit too many).
  const digits = /^(?:\[[^\]]+\]|[^:/[\]]+):(\d+)(?:\/|$)/.exec(rest)?.[1];
  if (digits !== undefined && Number(digits) > 65535) throw new EndpointParseError('.port', 'must be an integer from 1 to 65535', Number(digits));
  // The userinfo never reaches the URL parser, which would cut a password at its first # / ? and
  // return the rest as host or path. Special (http) parsing normalises the host the same way
  // for every scheme; the real scheme is kept aside.
  let url: URL;
  try {
    url = new URL(`http://${rest}`);
  } catch {
    throw malformed();
  }
  if (url.search || url.hash) throw new EndpointParseError('', 'must not have a query or fragment', redactUrl(trimmed));
  const host = checkHost(url.hostname, fast);
  const port = explicitPort(url, rest) ?? defaultPort(protocol);
  const basePath = normaliseBasePath(url.pathname === '/' ? '' : url.pathname);
  return {
    id: makeId(protocol, host, port, basePath),
    protocol, host, port, basePath, weight: 1, priority: 0, zone: undefined, metadata: EMPTY,
    authorization: basicAuthorization(userinfo),
  };
}

/**
 * An object's `basePath` (dnsDiscovery's too, which makes objects) as the string form has it:
 * read by the URL parser as a path (spaces and non-ASCII percent-encoded, `..` and `%2e%2e`
 * segments resolved, `\` read as `/`), so the same endpoint written either way has one id and
 * undici is sent a valid path, the one fetch goes to. A plain path is what the parser would
 * return, and skips it. A query or fragment is refused as in strings; the error shows the path
 * as every error does, through `redactUrl`, which cuts what follows the `?` or `#` (`?token=…`).
 */
function objectBasePath(path: unknown, fast: boolean): string {
  if (typeof path !== 'string') throw new EndpointParseError('.basePath', 'must be a string', path);
  if (/[?#]/.test(path)) throw new EndpointParseError('.basePath', 'must not have a query or fragment', redactUrl(path));
  const rooted = /^[/\\]/.test(path) ? path : `/${path}`;
  return normaliseBasePath(fast && isPlainPath(rooted, 0) ? rooted : new URL(`http://base${rooted}`).pathname);
}

/** The port written in the string, if any (`url` is `rest` parsed as http). */
function explicitPort(url: URL, rest: string): number | undefined {
  if (url.port !== '') return checkPort(Number(url.port));
  // An http URL hides an explicit :80 as it hides no port at all; an https one does not.
  const port = new URL(`https://${rest}`).port;
  return port === '' ? undefined : checkPort(Number(port));
}

function defaultPort(protocol: string): number {
  if (protocol === 'http:') return 80;
  if (protocol === 'https:') return 443;
  throw new EndpointParseError('.port', `must be given for ${protocol} endpoints`, undefined);
}

function makeId(protocol: string, host: string, port: number, basePath: string): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `${protocol}//${h}:${port}${basePath}`;
}

/** A URL scheme, with or without its colon; returned lower case with the colon. */
function normaliseProtocol(p: unknown): string {
  if (p === 'http' || p === 'http:') return 'http:';
  if (p === 'https' || p === 'https:') return 'https:';
  const bad = (): EndpointParseError => new EndpointParseError('.protocol', "must be a URL scheme such as 'http', 'https' or 'tcp'", p);
  if (typeof p !== 'string') throw bad();
  const scheme = p.endsWith(':') ? p.slice(0, -1) : p;
  if (!/^[a-z][a-z0-9+.-]*$/i.test(scheme)) throw bad();
  return `${scheme.toLowerCase()}:`;
}

/**
 * The error for a host string that is none, shown without secrets. One holding an `@` (userinfo,
 * or something that reads as it) says so, and is not shown at all: without what looks like its
 * userinfo, the host left could look valid.
 */
function badHost(host: string): EndpointParseError {
  if (splitUserinfo(host).userinfo === undefined) return new EndpointParseError('.host', 'must be a host name or IP address', redactUrl(host));
  return new EndpointParseError('.host', 'must be a host name or IP address; it holds an `@`, as credentials (user:password@) would, so it is not shown', '(hidden)');
}

/** Checks a host as a URL would parse it; returns it normalised (lower case, IPv6 without brackets). */
function checkHost(host: unknown, fast: boolean): string {
  if (fast && typeof host === 'string') {
    const simple = simpleHost(host, 0, host.length);
    if (simple !== undefined) return simple;
  }
  // A host may be a whole URL pasted in the wrong field, password included.
  const bad = (): EndpointParseError => (typeof host === 'string' ? badHost(host) : new EndpointParseError('.host', 'must be a host name or IP address', host));
  if (typeof host !== 'string' || host === '' || /[\s/?#@\\]/.test(host)) throw bad();
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === '' || /[[\]]/.test(bare)) throw bad();
  let parsed: string;
  try {
    parsed = new URL(`http://${bare.includes(':') ? `[${bare}]` : bare}/`).hostname;
  } catch {
    throw bad();
  }
  // The URL parser refuses forbidden host characters (| < > ^ …) and, with the brackets, a
  // host:port in a host field; what it returns is the host as fetch will send it.
  return parsed.startsWith('[') ? parsed.slice(1, -1) : parsed;
}

function checkPort(port: unknown): number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new EndpointParseError('.port', 'must be an integer from 1 to 65535', port);
  }
  return port;
}

/** A parsed path (`''` or starting with `/`) as a base path: without trailing slashes, so `/` is `''`. */
function normaliseBasePath(path: string): string {
  return path.endsWith('/') ? path.replace(/\/+$/, '') : path;
}
