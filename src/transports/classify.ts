import type { Classify, Outcome, Verdict } from '../config/options.js';
import type { Endpoint } from '../endpoints/endpoint.js';
import { DEFAULTS } from '../config/resolve.js';
import { PluginError, TimeoutError } from '../errors.js';
import type { Judgement } from './transport.js';
import { isConnectError } from './connect-errors.js';
import { BODY_SOURCE_FAILED, failedInBody } from './release-body.js';

/** The code of the error fetch throws, before sending anything, for an endpoint it cannot talk to. */
export const UNSUPPORTED_ENDPOINT = 'ERR_BULWARK_UNSUPPORTED_ENDPOINT';

const DEFAULT_RETRY_STATUSES: ReadonlySet<number> = new Set(DEFAULTS.statusCodes);

/** HTTP methods retried after the request may have reached the server (RFC 9110 §9.2.2; Envoy's and undici's retry defaults). */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** True when a request with this method may be retried after it may have reached the server; `undefined` is GET, a non-string is not idempotent. */
export function isIdempotentMethod(method: unknown): boolean {
  return method === undefined || (typeof method === 'string' && IDEMPOTENT_METHODS.has(method.toUpperCase()));
}

/**
 * Whether a status is among the ones retried by default (`DEFAULTS.statusCodes`): the server,
 * or a proxy in front of it, says it could not handle the request now. Envoy
 * `retry_on: 5xx-gateway, retriable-4xx(429)`; a client's `retry.statusCodes` may differ.
 */
export function isRetryableStatus(status: number): boolean {
  return DEFAULT_RETRY_STATUSES.has(status);
}

/**
 * Socket error codes that prove nothing was sent: the connection was never established.
 * A request that failed this way can be retried whatever its method.
 */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  // Not a socket error: bulwark refused before sending (an endpoint fetch cannot talk to).
  UNSUPPORTED_ENDPOINT,
]);

/**
 * fetch's refusal of a port browsers block (6000, 6667, 10080, …; the Fetch standard's "bad
 * port" list): `TypeError('fetch failed')` caused by an uncoded `Error('bad port')`. Nothing
 * was sent, and the endpoint cannot be reached with fetch at all.
 */
function badPort(error: object): boolean {
  return error instanceof Error && error.message === 'bad port';
}

/** Whether `error` is fetch's refusal of a bad port (`TypeError('fetch failed')` caused by it). */
export function isBadPort(error: unknown): boolean {
  const cause: unknown = error instanceof TypeError ? error.cause : undefined;
  return cause !== null && typeof cause === 'object' && badPort(cause);
}

/** Codes of failures after the connection was up: the server may have seen the request. */
const CONNECTION_LOST_CODES = new Set([
  'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);

/** How a thrown error relates to the network, looked up through its `cause` chain. */
export type NetworkFailure = 'not-sent' | 'connection-lost' | undefined;

/** Classifies an error from a transport by the socket error code in it or its causes. */
export function networkFailure(error: unknown): NetworkFailure {
  let current: unknown = error;
  try {
    for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
      // A connection undici never set up (a TLS handshake reset, a certificate refused), whatever its code.
      if (isConnectError(current)) return 'not-sent';
      const code = (current as { code?: unknown }).code;
      if (typeof code === 'string') {
        // A reset or timeout during connect() still means no byte of the request left.
        if (NOT_SENT_CODES.has(code) || (current as { syscall?: unknown }).syscall === 'connect') return 'not-sent';
        if (CONNECTION_LOST_CODES.has(code)) return 'connection-lost';
      } else if (depth > 0 && badPort(current)) return 'not-sent';
      current = (current as { cause?: unknown }).cause;
    }
  } catch {
    // What `fn` threw has a getter that throws (or is a Proxy that does): it is no network error of ours to recognise.
  }
  return undefined;
}

/**
 * undici's codes for a request it refuses as given: a bad argument (a header value, a path with
 * a space), something it does not support, a body that does not match its content-length.
 */
const INVALID_REQUEST_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH']);

/**
 * Whether an HTTP client refused the request itself, before any endpoint could answer: the
 * same request fails on every endpoint, so it is the caller's to fix. fetch's own network
 * failures are all `TypeError('fetch failed')` with the socket error as `cause`; any other
 * TypeError from it is its check of the arguments (a header value, a GET with a body, a
 * forbidden method, a body already read).
 */
export function invalidRequest(error: unknown): boolean {
  if (error instanceof TypeError) {
    if (error.message !== 'fetch failed') return networkFailure(error) === undefined;
    // The dispatcher refused it before sending (a `dispatcher` Node's fetch cannot drive, a plain
    // undici 8 `Agent`: its cause is UND_ERR_INVALID_ARG), or fetch refused the endpoint's redirect.
    return invalidCode(error.cause) === true || redirectRefused(error);
  }
  return invalidCode(error) ?? (error instanceof Error && UNCODED_REFUSAL.test(error.message));
}

/** Whether `error`'s code is one of undici's invalid-request codes; undefined when it has no string code. */
function invalidCode(error: unknown): boolean | undefined {
  const code = error !== null && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? INVALID_REQUEST_CODES.has(code) : undefined;
}

/** undici's refusal without a code: a `query` given with a path that has one (or a fragment). */
const UNCODED_REFUSAL = /^Query params cannot be passed when url already contains "\?" or "#"\.$/;

/**
 * fetch's own refusals of a redirect the endpoint answered with: `redirect: 'error'`, a redirect
 * loop, a `Location` that is not http(s) (`ftp:`, `data:`) or does not parse. (An endpoint's own
 * URL is always an http(s) one that parses: these come from a redirect.)
 */
const REDIRECT_REFUSED = /^(?:unexpected redirect|redirect count exceeded|URL scheme must be a HTTP\(S\) scheme|Invalid URL)$/;

/**
 * Whether fetch refused to follow the endpoint's redirect: the endpoint answered (a 3xx) and the
 * caller's `redirect: 'error'` (or fetch's limit of 20 redirects) turned it into an error. As
 * plain fetch does, the call rejects with it, once: no other endpoint is asked.
 */
function redirectRefused(error: TypeError): boolean {
  if (error.message !== 'fetch failed') return false;
  const cause: unknown = error.cause;
  return cause instanceof Error && REDIRECT_REFUSED.test(cause.message);
}

/** A short, secret-free reason for events: `connection refused`, `ECONNRESET`, `attempt timeout`, … */
export function failureReason(error: unknown): string {
  if (error instanceof TimeoutError) return error.scope === 'attempt' ? 'attempt timeout' : 'call timeout';
  let current: unknown = error;
  try {
    for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
      const code = (current as { code?: unknown }).code;
      if (code === 'ECONNREFUSED') return 'connection refused';
      if (code === UNSUPPORTED_ENDPOINT) return 'unsupported endpoint scheme';
      if (depth > 0 && code === undefined && badPort(current)) return 'bad port';
      if (typeof code === 'string' && !code.startsWith('ERR_BULWARK')) return code;
      current = (current as { cause?: unknown }).cause;
    }
    return error instanceof Error ? error.name : 'error';
  } catch {
    return 'error'; // a getter that throws, as in networkFailure
  }
}

/**
 * Parses `Retry-After` (seconds or an HTTP date) into milliseconds from `nowEpoch`;
 * `undefined` when absent or unreadable. A header sent twice reaches fetch's `Headers` joined
 * (`2, 2`): such a list counts when every value in it is valid and they all say the same (as
 * undici's own headers, a list, give the first value of a header that repeats itself); one with
 * an invalid or a differing value is invalid as a whole, and ignored (RFC 9110 §10.2.3).
 */
export function retryAfterMs(value: string | null, nowEpoch: number): number | undefined {
  if (value === null) return undefined;
  let rest = value.trim();
  let ms: number | undefined;
  for (;;) {
    const one = firstRetryAfter(rest, nowEpoch);
    if (one === undefined || (ms !== undefined && one.ms !== ms)) return undefined;
    ms = one.ms;
    rest = rest.slice(one.length);
    if (rest === '') return ms;
    const comma = /^\s*,\s*/.exec(rest);
    if (comma === null) return undefined;
    rest = rest.slice(comma[0].length);
  }
}

/** The value `Retry-After` starts with (delay-seconds or an HTTP-date) in ms from `nowEpoch`, and its length. */
function firstRetryAfter(text: string, nowEpoch: number): { ms: number; length: number } | undefined {
  const seconds = /^\d+(?=\s*(?:,|$))/.exec(text);
  if (seconds !== null) return { ms: Number(seconds[0]) * 1000, length: seconds[0].length };
  // Only an HTTP-date (RFC 9110 §5.6.7): Date.parse also reads `12/31/2099` or `1.5`, which a
  // recipient must ignore. asctime's form carries no zone: it is GMT.
  const date = HTTP_DATE.exec(text);
  if (date === null) return undefined;
  const at = Date.parse(date[1] === undefined ? date[0] : `${date[0]} GMT`);
  return Number.isNaN(at) ? undefined : { ms: Math.max(0, at - nowEpoch), length: date[0].length };
}

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
/** IMF-fixdate, obsolete RFC 850 and asctime forms, at the start of the text; the capture group is asctime's. */
const HTTP_DATE = new RegExp(
  `^(?:${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \\d{2}-${MONTH}-\\d{2} ${TIME} GMT|(${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4}))`,
);

const VERDICTS: ReadonlySet<unknown> = new Set<Verdict>(['success', 'failure', 'retry']);

/**
 * Runs a user's `classify`: its verdict, or `undefined` to keep the transport's default. A
 * classifier that throws or answers something else fails the call with a `PluginError`
 * (thrown here; the attempt turns it into the call's outcome).
 */
export function runClassify<T>(service: string, classify: Classify<T>, outcome: Outcome<T>, endpoint: Endpoint): Verdict | undefined {
  let verdict: unknown;
  try {
    verdict = classify(outcome, endpoint);
  } catch (err) {
    throw new PluginError(service, 'classify', 'threw', { cause: err });
  }
  if (verdict === undefined || VERDICTS.has(verdict)) return verdict as Verdict | undefined;
  throw new PluginError(service, 'classify', `returned ${typeof verdict === 'string' ? JSON.stringify(verdict.slice(0, 40)) : typeof verdict}, not 'success', 'failure', 'retry' or undefined`);
}

/**
 * The default reading of an HTTP response, shared by every HTTP transport (fetch, undici):
 * `statusCodes` are retried for idempotent requests (with the server's `Retry-After`), other
 * 5xx and 429 are failures, everything else a success. The `Retry-After` of a 503 or 429 (the
 * statuses it is defined for, RFC 9110 §10.2.3 and RFC 6585) is kept whatever `statusCodes`
 * say: it pauses the endpoint (endpoint health), which is not a matter of what is retried.
 */
export function statusJudgement(status: number, retryAfter: string | null, idempotent: boolean, statusCodes: ReadonlySet<number>): Judgement {
  if (statusCodes.has(status)) {
    return { verdict: idempotent ? 'retry' : 'failure', reason: `status ${status}`, status, retryAfter: retryAfterMs(retryAfter, Date.now()) };
  }
  if (status < 500 && status !== 429) return { verdict: 'success', reason: `status ${status}`, status };
  const pause = retryAfter !== null && (status === 503 || status === 429) ? retryAfterMs(retryAfter, Date.now()) : undefined;
  return { verdict: 'failure', reason: `status ${status}`, status, retryAfter: pause };
}

const INVALID: Judgement = Object.freeze({ verdict: 'failure', reason: 'invalid request', invalid: true });

/**
 * The default reading of an HTTP attempt that got no response: retried when idempotent, or when
 * provably nothing was sent. `answered`: an earlier hop of the attempt got a response (fetch
 * followed a redirect), so a connection refused now is no proof that nothing was sent (its
 * retry draws on the budget); as a string, the origin of the redirect's target, which the
 * reason names (`connection refused after a redirect to http://files:9000`), not to blame the endpoint.
 * A stream body whose own source failed (a file gone, a broken upstream) is the caller's failure,
 * as an invalid request is: not retried, not the endpoint's (release-body.ts tells it).
 */
export function errorJudgement(error: unknown, idempotent: boolean, answered: boolean | string = false): Judgement {
  if (failedInBody(error)) return BODY_SOURCE_FAILED;
  if (invalidRequest(error)) return INVALID;
  const notSent = answered === false && networkFailure(error) === 'not-sent';
  const reason = failureReason(error);
  return { verdict: idempotent || notSent ? 'retry' : 'failure', reason: typeof answered === 'string' ? `${reason} after a redirect to ${answered}` : reason, notSent };
}
