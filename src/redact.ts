// Secrets kept out of what bulwark shows: URL userinfo (cut from the raw text before anything
// parses it), values under secret-looking keys, URL objects, and keys that are URLs. Used by
// ConfigError (errors.ts), discovery events and endpoint parsing.

/**
 * Keys whose values are credentials whatever they look like (a token or a TLS key is no URL, so
 * redactUrl leaves it whole): `token`, `password`, `passphrase`, `secret`, `authorization`,
 * `x-consul-token`, `credentials`, `cookie`, `apiKey`, `pfx`, and TLS keys: `key`, `privateKey`,
 * `clientKey`, `tlsKey`, `ssl_key`, `privKey`, `client-key-data`, … (`routingKey`, `hash_key` or
 * `idempotency-key` hold no secret and stay shown)
 */
const SECRET_KEY = /pass(?:word|phrase|wd)|secret|token|auth|credential|cookie|api[-_]?key|pfx|(?:^|priv(?:ate)?|client|tls|ssl|signing|access|encryption)[-_.]?key(?:[-_.]?(?:data|pem|file))?$/i;

/** What a value under a {@link SECRET_KEY} becomes in `ConfigError`'s message and `value` (as hideValue shows one). */
const HIDDEN = '(hidden)';

/**
 * A rejected value as `ConfigError.value` keeps it: strings without URL credentials, and plain
 * objects and arrays copied with their strings so cleaned and values under a secret-looking key
 * hidden (three levels deep); anything else (numbers, functions, class instances) as it is.
 */
export function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactUrl(value);
  if (value === null || typeof value !== 'object') return value;
  try {
    // A URL object holds its password as it is: kept as its address, without it (at any depth).
    // (Inside the try: `instanceof` runs a Proxy's getPrototypeOf trap, which may throw.)
    if (value instanceof URL) return redactUrl(value.href);
    if (depth >= 3) return value;
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

/**
 * A value named by its type only, for messages that must not show it (a registry's data, a
 * plugin's wrong answer): a number, `undefined` and `null` as they are, anything else by its type.
 *
 * @example
 * typeShown('http://u:pw@10.0.0.1'); // 'a string'
 * typeShown(70000);                  // '70000'
 */
export function typeShown(value: unknown): string {
  if (value === undefined || value === null || typeof value === 'number') return String(value);
  if (typeof value !== 'object') return `a ${typeof value}`;
  try {
    return Array.isArray(value) ? 'an array' : 'an object';
  } catch {
    return 'an object'; // a revoked Proxy
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
 * An adapter's `rejected` reason as text, without the userinfo of any URL in it. One that cannot
 * be made a string (no primitive conversion, a throwing `toString`) must not throw back into
 * the adapter.
 *
 * @example
 * emit('endpointRejected', { entry: describe(entry), reason: reasonText(reason) });
 */
export function reasonText(reason: unknown): string {
  let text: string;
  try {
    text = typeof reason === 'string' ? reason : String(reason);
  } catch {
    return '(a reason that could not be read)';
  }
  // A reason may quote the entry it rejects, credentials and all (`record http://u:pw@h …`).
  return text.includes('@') ? text.replace(URL_IN_TEXT, (url) => redactUrl(url)) : text;
}

/**
 * A URL with userinfo anywhere in a text: `scheme://`, then up to white space, with an `@` in it.
 * Each is shown as {@link redactUrl} shows it (its userinfo, to the last `@`, cut; a raw `/`, `?`,
 * `#` or `@` in a password included; a query or fragment cut to `?…`).
 */
const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s@]*@\S*/gi;

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
 * and redaction both use this, so whatever is not shown is exactly what is sent as a secret. A
 * scheme short of its `//` (`https:/u:p@h`) is no prefix: it stays in the userinfo, hidden with
 * the password, and parsing refuses it (endpoints/userinfo.ts `startsLikeScheme`).
 *
 * @example
 * splitUserinfo('http://u:pa#ss@h:80'); // { prefix: 'http://', userinfo: 'u:pa#ss', rest: 'h:80' }
 * splitUserinfo('u:p@h:80');            // { prefix: '', userinfo: 'u:p', rest: 'h:80' }
 * splitUserinfo('https:/u:p@h:80');     // { prefix: '', userinfo: 'https:/u:p', rest: 'h:80' }
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

