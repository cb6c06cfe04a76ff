import { isThenable, layDefined } from '../config/fields.js';
import type { CallOptions, Classify } from '../config/options.js';
import { requestTarget } from './request-path.js';
import { redactUrl } from '../redact.js';
import { CALL_KEYS, REQUEST_INIT_KEYS } from '../config/option-keys.js';

/** `RequestInit` plus bulwark's per-call options. */
export interface BulwarkRequestInit extends Omit<RequestInit, 'signal'>, CallOptions {
  /**
   * Decides what a response or error means, attempt timeouts included; `undefined` keeps the
   * default rules (see the README's "What is retried").
   *
   * @example
   * // Also retry 500s from this idempotent endpoint; leave the rest to the defaults.
   * classify: (o) => (o.ok && o.value.status === 500 ? 'retry' : undefined)
   */
  classify?: Classify<Response> | undefined;
}

/** `client.fetch`'s arguments taken apart. */
export interface FetchArgs {
  /** Path and query, sent to the picked endpoint's URL. */
  readonly path: string;
  readonly init: RequestInit;
  /** A `Request` input whose body each attempt sends a clone of (so a retry can send it again). */
  readonly request: Request | undefined;
  readonly options: CallOptions;
  readonly classify: Classify<Response> | undefined;
}

/**
 * Splits `client.fetch`'s arguments into the path+query to send, the plain RequestInit, a
 * Request whose body must be cloned per attempt, and bulwark's own per-call options.
 */
export function splitFetchArgs(input: string | URL | Request, init: BulwarkRequestInit | undefined): FetchArgs {
  let path: string;
  let base: RequestInit = {};
  let request: Request | undefined;
  if (typeof input === 'string') {
    // Dot segments are resolved from the root, so that they cannot climb out of an endpoint's base path.
    path = input.startsWith('/') ? requestTarget(input) : /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? pathOf(parseAbsolute(input)) : requestTarget(`/${input}`);
  } else if (input instanceof URL) {
    path = pathOf(input);
  } else if (isRequest(input)) {
    path = pathOf(new URL(input.url));
    base = {
      method: input.method, headers: input.headers, redirect: input.redirect, credentials: input.credentials, cache: input.cache,
      mode: input.mode, referrer: input.referrer, referrerPolicy: input.referrerPolicy, integrity: input.integrity, keepalive: input.keepalive,
    };
    if (input.body !== null) request = input;
  } else {
    throw new TypeError('client.fetch: input must be a path string, a URL or a Request');
  }
  const requestSignal = request === undefined && isRequest(input) ? input.signal : request?.signal;
  // `null` is no init, as fetch takes it.
  if (init === undefined || init === null) return { path, init: base, request, options: { signal: requestSignal }, classify: undefined };
  // Refused as `input` is (fetch's own WebIDL check says "not an object"): `fetch('/x', 'GET')`.
  if (typeof init !== 'object' && typeof init !== 'function') throw new TypeError('client.fetch: init must be an object (RequestInit), null or undefined');
  // `fetch(path, loadInit())` without its await: fetch would read the Promise as an empty init.
  if (isThenable(init)) throw new TypeError('client.fetch: init must be an object (RequestInit), null or undefined, not a Promise: a forgotten await?');
  const { signal, timeout, idempotent, key, hedge, classify, ...rest } = membersOf(init);
  // A body in init replaces the Request's; `null` keeps it, as fetch reads it.
  if (rest.body !== undefined && rest.body !== null) request = undefined;
  return {
    // Over a Request's own init, a member set to undefined is absent, as fetch reads it:
    // `{ headers: undefined }` keeps the Request's headers, `{ method: undefined }` its method.
    path, init: isRequest(input) ? layDefined(base, rest) : rest, request,
    options: { signal: signal === undefined ? requestSignal : signal, timeout, idempotent, key, hedge },
    classify,
  };
}

/**
 * `init` as fetch reads it: member by member, inherited ones included (a WebIDL dictionary), so
 * that an init made with `Object.create(defaults)`, a class with getters, or a `Request` given
 * as the init keeps what it inherits. A plain object is taken as it is.
 */
function membersOf(init: BulwarkRequestInit): BulwarkRequestInit {
  const proto: unknown = Object.getPrototypeOf(init);
  if (proto === Object.prototype || proto === null) return init;
  const copy: Record<string, unknown> = { ...init };
  for (const name of [...REQUEST_INIT_KEYS, ...CALL_KEYS.known]) {
    if (!Object.hasOwn(copy, name) && name in init) copy[name] = (init as Record<string, unknown>)[name];
  }
  return copy as BulwarkRequestInit;
}

/**
 * Whether `input` is a `Request`: the global class's, or another fetch implementation's (undici's
 * own, when the client's `fetch` is undici's), which `instanceof` does not recognise.
 */
function isRequest(input: unknown): input is Request {
  return input instanceof Request || Object.prototype.toString.call(input) === '[object Request]';
}

/**
 * A URL's path and query as a request target. A URL of another scheme may hold what the http
 * parser reads differently once appended to the endpoint's URL: `\` as a separator (dot
 * segments that climb), or a path without a leading `/` (`x:admin`, glued onto the base path's
 * last segment; `x:@host/`, read as userinfo before another host).
 */
function pathOf(url: URL): string {
  const pathname = url.pathname;
  return requestTarget((pathname.startsWith('/') ? pathname : `/${pathname}`) + url.search);
}

/**
 * An absolute URL given as `input`. One that does not parse is refused as fetch refuses it (a
 * `TypeError`, code `ERR_INVALID_URL`), but without its credentials: URL's own error keeps the
 * whole text (its `input`), userinfo included.
 */
function parseAbsolute(input: string): URL {
  const url = URL.parse(input);
  if (url !== null) return url;
  const shown = redactUrl(input);
  throw Object.assign(new TypeError(`client.fetch: input is not a valid URL: ${JSON.stringify(shown)}`), { code: 'ERR_INVALID_URL', input: shown });
}
