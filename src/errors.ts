/**
 * Every error bulwark creates extends {@link BulwarkError}: it carries a stable `code` to
 * branch on, the `service` name of the client that raised it, and the underlying `cause`.
 *
 * @example
 * try { await users.fetch('/v1/users/42'); }
 * catch (err) { if (err instanceof BulwarkError && err.code === 'ERR_BULWARK_TIMEOUT') retryLater(); }
 */
export class BulwarkError extends Error {
  /** A stable machine-readable code, e.g. `ERR_BULWARK_TIMEOUT`. */
  readonly code: string;
  /** The `name` of the client (service) the error belongs to. */
  readonly service: string;

  constructor(code: string, service: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.service = service;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/**
 * No endpoint could take the call: discovery holds an empty set, or every endpoint was
 * removed. `cause` is the last discovery error, when there was one.
 *
 * @example
 * if (err instanceof NoEndpointsError) log.warn(`${err.service} has no endpoints`);
 */
export class NoEndpointsError extends BulwarkError {
  constructor(service: string, options?: { cause?: unknown }) {
    super('ERR_BULWARK_NO_ENDPOINTS', service, `${service}: no endpoints available`, options);
  }
}

/** Which deadline ran out: the one of a single attempt or the one of the whole call. */
export type TimeoutScope = 'attempt' | 'total';

/**
 * A deadline ran out. `scope` says which: `'attempt'` (one try at one endpoint; the call may
 * still retry elsewhere) or `'total'` (the whole call, retries included).
 *
 * @example
 * if (err instanceof TimeoutError && err.scope === 'total') metrics.deadlineExceeded++;
 */
export class TimeoutError extends BulwarkError {
  /** Which deadline ran out. */
  readonly scope: TimeoutScope;
  /** The deadline that ran out, in milliseconds. */
  readonly timeout: number;

  constructor(service: string, scope: TimeoutScope, timeout: number, detail?: string, options?: { cause?: unknown }) {
    super(
      'ERR_BULWARK_TIMEOUT',
      service,
      `${service}: ${scope === 'attempt' ? 'attempt' : 'call'} timed out after ${timeout} ms${detail ? ` (${detail})` : ''}`,
      options,
    );
    this.scope = scope;
    this.timeout = timeout;
  }
}

/**
 * The client was closed: calls made after `close()` reject with it, and so do calls still
 * waiting for a first endpoint set when it closed.
 *
 * @example
 * await users.close();
 * await users.fetch('/x').catch((err) => err instanceof ClientClosedError); // true
 */
export class ClientClosedError extends BulwarkError {
  constructor(service: string) {
    super('ERR_BULWARK_CLIENT_CLOSED', service, `${service}: client is closed`);
  }
}

/**
 * An option or a static endpoint was invalid. Thrown synchronously by `createClient` (and by
 * the factories such as `peakEwma()`); `path` names the option, `value` is what was given.
 *
 * @example
 * createClient({ name: 'x', discovery: [], retry: { attempts: -1 } });
 * // ConfigError: x: retry.attempts must be an integer ≥ 1 (at most 100), got -1
 */
export class ConfigError extends BulwarkError {
  /** The option path, e.g. `retry.attempts` or `discovery[2]`. */
  readonly path: string;
  /** The value that was rejected (secrets removed). */
  readonly value: unknown;

  constructor(service: string, path: string, expected: string, value: unknown) {
    super('ERR_BULWARK_CONFIG', service, `${service}: ${path} ${expected}, got ${describe(value)}`);
    this.path = path;
    this.value = redactValue(value, 0);
  }
}

/**
 * Keys whose values are credentials whatever they look like (a token or a TLS key is no URL, so
 * redactUrl leaves it whole): `token`, `password`, `passphrase`, `secret`, `authorization`,
 * `x-consul-token`, `credentials`, `cookie`, `apiKey`, `key`, `privateKey`, `pfx`, …
 */
const SECRET_KEY = /pass(?:word|phrase|wd)|secret|token|auth|credential|cookie|api[-_]?key|^(?:private[-_]?)?key$|pfx/i;

/** What a value under a {@link SECRET_KEY} becomes in `ConfigError`'s message and `value` (as hideValue shows one). */
const HIDDEN = '(hidden)';

/**
 * A rejected value as `ConfigError.value` keeps it: strings without URL credentials, and plain
 * objects and arrays copied with their strings so cleaned and values under a secret-looking key
 * hidden (three levels deep); anything else (numbers, functions, class instances) as it is.
 */
function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactUrl(value);
  // A URL object holds its password as it is: kept as its address, without it (at any depth).
  if (value instanceof URL) return redactUrl(value.href);
  if (value === null || typeof value !== 'object' || depth >= 3) return value;
  try {
    if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    const copy: Record<string, unknown> = {};
    // An options object given where another was expected (`discovery: { service, token }`,
    // `credentials: { privateKey, passphrase }`) holds secrets that are not URLs; a key may be
    // an endpoint's URL (`discovery: { 'http://user:pw@host': … }`).
    for (const [k, v] of Object.entries(value)) copy[redactKey(k)] = SECRET_KEY.test(k) && v !== undefined ? HIDDEN : redactValue(v, depth + 1);
    return copy;
  } catch {
    return 'an unreadable object';
  }
}

/** A short, secret-free rendering of a rejected option value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(redactUrl(value));
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  // A Proxy or an object with getters can throw from any look at it; a description must not.
  try {
    if (Array.isArray(value)) return `an array of ${value.length}`;
    return JSON.stringify(value, hideInJson).slice(0, 120);
  } catch {
    return 'an object';
  }
}

/**
 * `JSON.stringify`'s replacer for {@link describe}: values under a secret-looking key hidden,
 * strings without URL credentials (the root's too: a URL object turns into its address first,
 * through its `toJSON`), and an object's keys as well (a key may be an endpoint's URL).
 */
function hideInJson(this: unknown, k: string, v: unknown): unknown {
  if (k !== '' && SECRET_KEY.test(k) && v !== undefined) return HIDDEN;
  if (typeof v === 'string') return redactUrl(v);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const keys = Object.keys(v);
  if (keys.every((key) => redactKey(key) === key)) return v;
  const copy: Record<string, unknown> = {};
  for (const key of keys) copy[redactKey(key)] = (v as Record<string, unknown>)[key];
  return copy;
}

/** A URL with credentials as a key: `scheme://…@…`, or `user:password@host`. */
const KEY_WITH_USERINFO = /^\s*(?:[a-z][a-z0-9+.-]*:\/\/.*@|[^\s/?#@:]+:\S*@[^\s@]+)/i;

/**
 * An object key as errors show it: a key that is a URL with credentials (an endpoint written as
 * a key) without them; any other key as it is written (`@attempts` stays `@attempts`).
 *
 * @example
 * redactKey('http://user:pw@10.0.0.1:80'); // 'http://10.0.0.1:80/'
 */
export function redactKey(key: string): string {
  return KEY_WITH_USERINFO.test(key) ? redactUrl(key) : key;
}

/**
 * An adapter's `rejected` reason as text. One that cannot be made a string (no primitive
 * conversion, a throwing `toString`) must not throw back into the adapter.
 *
 * @example
 * emit('endpointRejected', { entry: describe(entry), reason: reasonText(reason) });
 */
export function reasonText(reason: unknown): string {
  if (typeof reason === 'string') return reason;
  try {
    return String(reason);
  } catch {
    return '(a reason that could not be read)';
  }
}

/** A `scheme://` at the start of a string, after any leading white space. */
const SCHEME_PREFIX = /^\s*[a-z][a-z0-9+.-]*:\/\//i;

/** An endpoint string cut around its userinfo; see {@link splitUserinfo}. */
export interface UserinfoSplit {
  /** The leading `scheme://`, or `''` when there is none. */
  readonly prefix: string;
  /** Everything between the prefix and the last `@`, raw; `undefined` when there is no `@`. */
  readonly userinfo: string | undefined;
  /** What follows the userinfo's `@` (or the prefix, when there is no userinfo). */
  readonly rest: string;
}

/**
 * Cuts an endpoint string into `scheme://`, userinfo and the rest. The userinfo runs to the
 * LAST `@`, whatever it holds: passwords come with raw `#`, `/`, `?`, `%` and spaces, and a URL
 * parser would cut them at the first of those and hand back a password as host or path. Parsing
 * and redaction both use this, so whatever is not shown is exactly what is sent as a secret.
 *
 * @example
 * splitUserinfo('http://u:pa#ss@h:80'); // { prefix: 'http://', userinfo: 'u:pa#ss', rest: 'h:80' }
 * splitUserinfo('u:p@h:80');            // { prefix: '', userinfo: 'u:p', rest: 'h:80' }
 */
export function splitUserinfo(text: string): UserinfoSplit {
  const prefix = SCHEME_PREFIX.exec(text)?.[0] ?? '';
  const at = text.lastIndexOf('@');
  if (at < prefix.length) return { prefix, userinfo: undefined, rest: text.slice(prefix.length) };
  return { prefix, userinfo: text.slice(prefix.length, at), rest: text.slice(at + 1) };
}

/**
 * Removes userinfo (`user:password@`) from `text`: everything after a leading `scheme://` (or
 * from the start) up to the last `@`, whatever characters the password holds. A query or
 * fragment after it is cut to `?…` or `#…` as well: it may hold a token. In text that is not
 * one URL this removes more than the secrets, never less.
 *
 * @example
 * redactUrl('http://admin:pa#ss@10.0.0.1:80/api'); // 'http://10.0.0.1:80/api'
 * redactUrl('http://10.0.0.1:80/api?token=abc');   // 'http://10.0.0.1:80/api?…'
 */
export function redactUrl(text: string): string {
  const { prefix, userinfo, rest } = splitUserinfo(text);
  const kept = userinfo === undefined ? text : prefix + rest;
  const q = kept.search(/[?#]/);
  return q < 0 ? kept : `${kept.slice(0, q + 1)}…`;
}

/**
 * The client's service-level circuit breaker (`circuitBreaker` option) is open: the service
 * has been failing, so the call fails at once and nothing is sent.
 *
 * @example
 * catch (err) { if (err instanceof CircuitOpenError) return cachedAnswer(); }
 */
export class CircuitOpenError extends BulwarkError {
  constructor(service: string) {
    super('ERR_BULWARK_CIRCUIT_OPEN', service, `${service}: circuit open, the service has been failing; not called`);
  }
}

/**
 * A discovery update could not be used: none of its entries was a valid endpoint, or reading
 * them threw. Reported as a `discoveryError`; the client keeps its last good set.
 *
 * @example
 * client.on('discoveryError', ({ error }) => { if (error instanceof DiscoveryError) log.warn(error.message); });
 */
export class DiscoveryError extends BulwarkError {
  constructor(service: string, detail: string, options?: { cause?: unknown }) {
    super('ERR_BULWARK_DISCOVERY', service, `${service}: ${detail}`, options);
  }
}

/** Which user-supplied piece misbehaved (a breaker: the `health.breaker` or `circuitBreaker.breaker` option). */
export type PluginKind = 'picker' | 'classify' | 'health.breaker' | 'health.isFailure' | 'circuitBreaker.breaker';

/**
 * A plugin (a custom picker, a `classify` function, a breaker of your own) returned something
 * bulwark cannot use, or threw. The call fails with this error and nothing more is sent;
 * `cause` is what it threw.
 *
 * @example
 * // A picker that returns an endpoint it was not given:
 * await client.execute(fn).catch((err) => err instanceof PluginError && err.plugin === 'picker'); // true
 */
export class PluginError extends BulwarkError {
  /** Which plugin misbehaved. */
  readonly plugin: PluginKind;

  constructor(service: string, plugin: PluginKind, detail: string, options?: { cause?: unknown }) {
    super('ERR_BULWARK_PLUGIN', service, `${service}: ${plugin} ${detail}`, options);
    this.plugin = plugin;
  }
}

/** One attempt of a failed request, as {@link RequestFailedError} lists it. */
export interface AttemptSummary {
  /** The endpoint's id (`protocol://host:port/base`, never credentials). */
  readonly endpoint: string;
  /** What happened: `connection refused`, `status 503`, `attempt timeout`, … */
  readonly reason: string;
  /** HTTP status, when the attempt got a response. */
  readonly status: number | undefined;
}

/**
 * A `fetch` call obtained no response: every attempt failed on the network. `cause` is the
 * last attempt's error (for global fetch a `TypeError: fetch failed` with the socket error in
 * its own `cause`); `endpoint` and `attempts` say where the call went and what happened.
 *
 * @example
 * catch (err) { if (err instanceof RequestFailedError) log.warn({ endpoint: err.endpoint, attempts: err.attempts }, err.message); }
 */
export class RequestFailedError extends BulwarkError {
  /** The endpoint of the last attempt. */
  readonly endpoint: string;
  /** Every attempt of the call, oldest first. */
  readonly attempts: readonly AttemptSummary[];

  constructor(service: string, attempts: readonly AttemptSummary[], options: { cause: unknown }) {
    const last = attempts[attempts.length - 1];
    const n = attempts.length;
    super('ERR_BULWARK_REQUEST_FAILED', service, `${service}: request failed after ${n} attempt${n === 1 ? '' : 's'}${last ? ` (last: ${last.reason} at ${last.endpoint})` : ''}`, options);
    this.endpoint = last?.endpoint ?? '';
    this.attempts = attempts;
  }
}
