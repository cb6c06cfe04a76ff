import { status as Status, type Metadata, type ServiceError } from '@grpc/grpc-js';
import { checkKeys, tableKeys, type Table } from '../config/keys.js';
import { ConfigError } from '../errors.js';
import { MAX_TIMER_MS } from '../config/fields.js';
import type { Judgement } from '../transports/transport.js';
import { failureReason, networkFailure } from '../transports/classify.js';

/** Which gRPC status codes mean what, for one client. */
export interface GrpcCodes {
  /** Codes that count against the endpoint's health. */
  readonly unhealthy: ReadonlySet<number>;
  /** Codes retried on another endpoint for every call. */
  readonly retry: ReadonlySet<number>;
  /** Codes retried on another endpoint for calls marked idempotent (a superset of `retry`). */
  readonly retryIdempotent: ReadonlySet<number>;
}

/** Status codes by their number, for reasons and docs (`14` → `UNAVAILABLE`). */
const NAMES: ReadonlyMap<number, string> = new Map(Object.entries(Status).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v as number, k]));

/**
 * The defaults, by the standard gRPC-to-HTTP mapping (the one Envoy's `grpcToHttpStatus` uses):
 * unhealthy are UNAVAILABLE (503), DEADLINE_EXCEEDED (504), RESOURCE_EXHAUSTED (429) and
 * INTERNAL (500), the statuses bulwark's `fetch` counts against an endpoint; retried is
 * UNAVAILABLE for every call (gRPC's status doc: "most likely a transient condition, which can
 * be corrected by retrying"), and for idempotent calls also RESOURCE_EXHAUSTED and
 * DEADLINE_EXCEEDED, the counterparts of the 429, 503 and 504 that `fetch` retries.
 */
export const DEFAULT_CODES: {
  readonly unhealthy: readonly number[];
  readonly retry: readonly number[];
  readonly retryIdempotent: readonly number[];
} = Object.freeze({
  unhealthy: Object.freeze([Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED, Status.RESOURCE_EXHAUSTED, Status.INTERNAL]),
  retry: Object.freeze([Status.UNAVAILABLE]),
  retryIdempotent: Object.freeze([Status.UNAVAILABLE, Status.RESOURCE_EXHAUSTED, Status.DEADLINE_EXCEEDED]),
});

/** Options of {@link createGrpcClient} that change the classification. */
export interface GrpcCodeOptions {
  /** Codes that count against an endpoint's health. Default UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL. */
  unhealthy?: readonly number[] | undefined;
  /** Codes retried for every call. Default UNAVAILABLE. */
  retry?: readonly number[] | undefined;
  /** Codes retried for calls marked idempotent, on top of `retry`. Default UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED. */
  retryIdempotent?: readonly number[] | undefined;
}

const KEYS = tableKeys({ unhealthy: true, retry: true, retryIdempotent: true } satisfies Table<GrpcCodeOptions>, 'an option of `codes`');

/** Validates `codes`; throws ConfigError naming the bad list, or a key that is none (`codes.retri`). */
export function resolveCodes(service: string, options: GrpcCodeOptions | undefined): GrpcCodes {
  if (options !== undefined && (options === null || typeof options !== 'object')) throw new ConfigError(service, 'codes', 'must be an object', options);
  if (options !== undefined) checkKeys(service, options, 'codes.', KEYS);
  const list = (key: keyof GrpcCodeOptions): Set<number> => {
    const value: unknown = options?.[key] ?? DEFAULT_CODES[key];
    if (!Array.isArray(value) || !value.every((c) => Number.isInteger(c) && NAMES.has(c as number) && c !== Status.OK)) {
      throw new ConfigError(service, `codes.${key}`, 'must be an array of gRPC status codes (1 to 16, e.g. status.UNAVAILABLE)', value);
    }
    return new Set(value as number[]);
  };
  const retry = list('retry');
  const retryIdempotent = list('retryIdempotent');
  for (const c of retry) retryIdempotent.add(c);
  return { unhealthy: list('unhealthy'), retry, retryIdempotent };
}

/** `UNAVAILABLE` for 14; the number itself for a code gRPC does not define. */
export function codeName(code: number): string {
  return NAMES.get(code) ?? String(code);
}

/** True for a grpc-js status error: an Error with a numeric `code`, `details` and `metadata`. */
export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'number' && typeof (error as { details?: unknown }).details === 'string';
}

/**
 * grpc-js's own words (1.14) for a call that provably reached no application code: the channel
 * had no connection (refused, unreachable, still backing off) or no address (the endpoint's
 * host name did not resolve: "Name resolution failed for target …", src/resolver-dns.ts), or
 * the server refused the stream (HTTP/2 REFUSED_STREAM, sent while it shuts down; grpc-js retries these transparently
 * when its own retries are on), or the channel was closed while the call still waited for a
 * connection or a pick ("Channel closed before call started": `InternalChannel.close()` and its
 * `ShutdownPicker`, src/internal-channel.ts in node_modules/@grpc/grpc-js, cancel the calls still
 * queued, which never had a stream). The words alone prove nothing: a server may send them too
 * (a middle tier passing on its own grpc-js client's error), see {@link fromServer}.
 */
const NOT_SENT = /^(?:\w+: )?No connection established|^Name resolution failed for target |^Stream refused by server|^Channel closed before call started/;

/**
 * grpc-js's words (1.14) when it refused the request message itself, before anything was sent:
 * it could not be serialized (INTERNAL), or it is larger than the channel's
 * `grpc.max_send_message_length` (RESOURCE_EXHAUSTED, src/compression-filter.ts).
 */
const SERIALIZE_FAILED = /^Request message serialization failure/;
const TOO_LARGE_TO_SEND = /^Attempted to send message with a size larger than/;
/**
 * grpc-js's words (1.14, src/compression-filter.ts) for a message over a receive limit
 * (RESOURCE_EXHAUSTED): made by the client when the server's answer is larger than its
 * `grpc.max_receive_message_length`, or sent by a server whose own limit the request broke.
 * Either way the server did its job: no endpoint is to blame, and another would answer alike.
 */
const TOO_LARGE_TO_RECEIVE = /^Received message larger than max/;

/** The caller's own message was refused before it was sent: it fails on every endpoint alike (as an invalid HTTP request does). */
const REFUSED_LOCALLY: Judgement = Object.freeze({ verdict: 'failure', reason: 'invalid request', invalid: true });

/** A message over a receive limit (see {@link TOO_LARGE_TO_RECEIVE}): every endpoint would answer alike, none is to blame. */
const OVER_RECEIVE_LIMIT: Judgement = Object.freeze({ verdict: 'failure', reason: 'message over a receive limit', invalid: true });

/** Errors thrown while an attempt's call was being started: nothing was sent. */
const NOT_STARTED = new WeakSet<object>();

/**
 * Marks `error`, thrown while an attempt's call was being started (a client interceptor of the
 * caller's, the call's metadata whose `clone` throws, call options whose getters throw), as an
 * invalid request: nothing was sent, no endpoint is to blame and none would take it, so it is
 * neither retried nor counted (see {@link judgeError}). A channel shut down under the attempt
 * (grpc-js's "Channel has been shut down") is not the caller's: it stays a failure to retry. A
 * thrown value that is not an object is wrapped, so that it can be marked (it is the `cause`).
 *
 * @example
 * try { return start(); } catch (err) { throw notStarted(err); }
 */
export function notStarted(error: unknown): unknown {
  if (isShutDown(error)) return error;
  const marked = markable(error) ? error : new Error('the call could not start: something that is not an object was thrown (see cause)', { cause: error });
  NOT_STARTED.add(marked);
  return marked;
}

/** Whether `value` can be held by a WeakSet (an object or a function), and so marked. */
function markable(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/** Whether `error` is grpc-js's own "Channel has been shut down" (a hostile value whose getters or traps throw is not). */
function isShutDown(error: unknown): boolean {
  try {
    return error instanceof Error && error.message === 'Channel has been shut down';
  } catch {
    return false;
  }
}

/**
 * The server's `grpc-retry-pushback-ms` trailer (gRPC A6: "an ASCII encoded signed 32-bit
 * integer"): ms to wait before a retry; `-1` when it asks the client not to retry at all, which
 * A6 reads from a negative value and from one it cannot parse (grpc-java does the same);
 * `undefined` when absent. Of several values the first counts (grpc-js's `parseInt` reads the
 * first of a trailer sent twice, which Node joins with commas).
 */
export function pushbackMs(metadata: Metadata | undefined): number | undefined {
  const values = metadata?.get('grpc-retry-pushback-ms');
  if (values === undefined || values.length === 0) return undefined;
  // Node's HTTP/2 joins a trailer sent twice into one value ("30, -1"): its first part counts.
  const text = String(values[0]).split(',')[0]!.trim();
  if (!/^[+-]?\d{1,10}$/.test(text)) return -1;
  // `+ 0`: "-0" is a pushback of 0, not a negative one.
  const ms = Number(text) + 0;
  if (ms < 0 || ms > 2 ** 31 - 1) return -1;
  return Math.min(ms, MAX_TIMER_MS);
}

/**
 * What one attempt's error means. Status errors by their code: retried (`retry`, or for
 * idempotent calls `retryIdempotent`) unless the server pushed back with a negative value; a
 * failure when the code is `unhealthy`; otherwise the server did its job and the error is the
 * answer (a `'success'` verdict: returned at once, health unhurt). A message grpc-js refused to
 * send (not serializable, too large), or a call that could not start (see {@link notStarted}), is
 * an invalid request: not retried, nobody blamed; so is a message over a receive limit. Other
 * errors (an attempt timeout, a throwing serializer) are failures, retried for idempotent calls.
 */
export function judgeError(codes: GrpcCodes, idempotent: boolean, error: unknown): Judgement {
  if (markable(error) && NOT_STARTED.has(error)) return REFUSED_LOCALLY;
  if (isServiceError(error)) {
    const code = error.code;
    // The caller's own message could not be sent (not serializable, or over the channel's send
    // limit): nothing was sent, no endpoint is to blame, and no other endpoint would take it.
    if ((code === Status.INTERNAL && SERIALIZE_FAILED.test(error.details)) || (code === Status.RESOURCE_EXHAUSTED && TOO_LARGE_TO_SEND.test(error.details))) return REFUSED_LOCALLY;
    if (code === Status.RESOURCE_EXHAUSTED && TOO_LARGE_TO_RECEIVE.test(error.details)) return OVER_RECEIVE_LIMIT;
    const notSent = notSentStatus(error);
    const reason = notSent ? 'UNAVAILABLE (not sent)' : codeName(code);
    if (notSent || (idempotent ? codes.retryIdempotent : codes.retry).has(code)) {
      const pushback = pushbackMs(error.metadata);
      // A6: no retry, and no more hedges; hedges already sent go on (a failure, not a final answer to them).
      if (pushback === -1) return { verdict: 'failure', reason: `${reason}, pushback: no retry`, noRetry: true };
      return { verdict: 'retry', reason, retryAfter: pushback, notSent };
    }
    // Not retried for this call: a pushback still pauses the endpoint, as fetch's Retry-After on a
    // 503 or 429 does whatever is retried: on a code retried for idempotent calls (RESOURCE_EXHAUSTED
    // on a non-idempotent one), and on UNAVAILABLE and RESOURCE_EXHAUSTED (gRPC's 503 and 429)
    // whatever the retry lists say.
    const pauses = codes.retryIdempotent.has(code) || code === Status.UNAVAILABLE || code === Status.RESOURCE_EXHAUSTED;
    const pushback = pauses ? pushbackMs(error.metadata) : undefined;
    return { verdict: codes.unhealthy.has(code) ? 'failure' : 'success', reason, retryAfter: pushback === -1 ? undefined : pushback };
  }
  const notSent = networkFailure(error) === 'not-sent';
  return { verdict: idempotent || notSent ? 'retry' : 'failure', reason: failureReason(error), notSent };
}

/** Whether grpc-js failed the call before it reached the server (UNAVAILABLE: no connection, or the stream refused). */
function notSentStatus(error: ServiceError): boolean {
  return error.code === Status.UNAVAILABLE && NOT_SENT.test(error.details) && !fromServer(error);
}

/** Errors of calls whose response headers had arrived before them (see `watchCommit`, transport.ts). */
const COMMITTED = new WeakSet<object>();

/** `error` followed the server's response headers: the call was committed. */
export function markCommitted(error: object): void {
  COMMITTED.add(error);
}

/** Whether `error` followed the server's response headers. */
export function isCommitted(error: unknown): boolean {
  return error !== null && typeof error === 'object' && COMMITTED.has(error);
}

/**
 * Whether a status came over the wire, whatever its words. grpc-js gives the statuses it makes
 * itself (no connection, stream refused, channel closed) a `new Metadata()` of their own, empty;
 * a server's status follows its response headers, or is a trailers-only answer whose metadata
 * keeps every header but `grpc-status` and `grpc-message`, so at least the `content-type` gRPC's
 * HTTP/2 protocol requires there (grpc-js's subchannel-call.ts, `handleTrailers`; a Node server
 * also sends `date`). Read only for an UNAVAILABLE in grpc-js's words: no cost to other calls.
 */
function fromServer(error: ServiceError): boolean {
  if (COMMITTED.has(error)) return true;
  const metadata = error.metadata as Metadata | undefined;
  return typeof metadata?.getMap === 'function' && Object.keys(metadata.getMap()).length > 0;
}

/**
 * The default `health.isFailure` of a gRPC client: an attempt counts against its endpoint when
 * it ended with an `unhealthy` code, without any status (an attempt timeout), or before it
 * reached the server (a refused connection, whatever `codes.unhealthy` says); a status the
 * server chose (INVALID_ARGUMENT, NOT_FOUND, …) never does, whatever the retry verdict.
 */
export function healthFailure(codes: GrpcCodes): (outcome: { readonly verdict: string; readonly error: unknown }) => boolean {
  return (outcome) => {
    if (outcome.verdict === 'success') return false;
    const error = outcome.error;
    return isServiceError(error) ? codes.unhealthy.has(error.code) || notSentStatus(error) : true;
  };
}
