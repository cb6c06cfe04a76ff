import type { Outcome } from '../config/options.js';
import { authorizationOf, type LiveEndpoint } from '../endpoints/endpoint.js';
import { BulwarkError, PluginError } from '../errors.js';
import { invalidRequest, isIdempotentMethod, networkFailure } from './classify.js';
import type { FetchArgs } from './fetch-args.js';
import { cancellingDispatcher, type CancellingDispatcher } from './fetch-dispatcher.js';
import { checkHttpEndpoint, HttpJudge, type ResponseReader } from './http-judge.js';
import type { AttemptHandle, Judgement, Transport } from './transport.js';
import { releaseUnsent, watchedBody } from './release-body.js';
import { readBlobOrReject } from './request-body.js';

/** What `fetch` needs from the client, fixed per client. */
export interface FetchSettings {
  readonly service: string;
  readonly fetch: typeof globalThis.fetch;
  /** Statuses retried for idempotent requests. */
  readonly statusCodes: ReadonlySet<number>;
}

/**
 * Runs a call as HTTP through a fetch function: the input's path and query go to the picked
 * endpoint's URL (its base path included). A response is a success unless its status is 5xx
 * or 429; `statusCodes` (default 429, 502, 503, 504) are retried for idempotent requests, and
 * connection failures that sent nothing for any request. A network failure reaches the caller
 * as a `RequestFailedError` naming the endpoints tried and what happened at each.
 */
export class FetchTransport implements Transport<Response> {
  readonly idempotent: boolean;
  readonly replayable: boolean;
  /** An attempt has handed `init`'s body to fetch, which then cancels a stream body itself when the request fails. */
  sent = false;
  readonly #settings: FetchSettings;
  readonly #path: string;
  readonly #init: RequestInit;
  readonly #request: Request | undefined;
  readonly #callerSignal: AbortSignal | undefined;
  readonly #judge: HttpJudge<Response>;
  /** A `Request` input's body, read once for every attempt. */
  #body: Promise<Blob> | undefined;

  constructor(settings: FetchSettings, args: FetchArgs, callerSignal: AbortSignal | undefined) {
    this.#settings = settings;
    this.#path = args.path;
    this.#init = args.init;
    this.#request = args.request;
    this.#callerSignal = callerSignal;
    this.#judge = new HttpJudge(settings.service, settings.statusCodes, args.classify, FETCH_READER);
    this.idempotent = args.options.idempotent ?? isIdempotentMethod(args.init.method);
    // A Request's body is read once and sent by every attempt (#sendWithBody); only a raw stream cannot be sent twice.
    this.replayable = isReplayableBody(args.init.body);
  }

  run(endpoint: LiveEndpoint, attempt: AttemptHandle): Promise<Response> {
    checkHttpEndpoint(this.#settings.service, 'fetch', endpoint);
    const init: RequestInit = { ...this.#init };
    const dispatcher = cancellingDispatcher(this.#settings.fetch, this.#init, attempt);
    if (dispatcher !== undefined) {
      // Node's fetch: the attempt is aborted through undici (no AbortSignal per attempt); the
      // caller's signal, given as it is, still stops the body after the headers.
      (init as { dispatcher?: object }).dispatcher = dispatcher;
      if (this.#callerSignal !== undefined) init.signal = this.#callerSignal;
    } else {
      // With the caller's signal in it too, aborting after the headers still stops the body, as
      // with plain fetch; the attempt's own signal alone is let go when the call returns.
      const attemptSignal = attempt.signal;
      init.signal = this.#callerSignal === undefined ? attemptSignal : AbortSignal.any([this.#callerSignal, attemptSignal]);
    }
    const auth = authorizationOf(endpoint);
    if (auth !== undefined) {
      const headers = new Headers(this.#init.headers);
      if (!headers.has('authorization')) headers.set('authorization', auth);
      init.headers = headers;
    }
    let sent: Promise<Response>;
    if (this.#request !== undefined) {
      sent = this.#sendWithBody(endpoint.url + this.#path, init, attempt);
    } else {
      this.sent = true;
      // A stream body goes through a relay that tells its source's own errors from the network's.
      if (!this.replayable) init.body = watchedBody(init.body, true) as NonNullable<RequestInit['body']>;
      sent = this.#settings.fetch(endpoint.url + this.#path, init);
    }
    if (dispatcher === undefined) return sent;
    return sent.catch((err: unknown) => {
      throw this.#afterHops(err, dispatcher, endpoint);
    });
  }

  /**
   * A Node fetch that failed after its endpoint answered (the dispatcher saw a response head):
   * a redirect fetch would not send a stream body again for becomes an invalid request, as
   * fetch's other refusals of a redirect are; any other failure came after the endpoint had the
   * request (a connection refused at the redirect's target, a bad port there), so it is no
   * proof that nothing was sent, and is marked with where it happened (see judge).
   */
  #afterHops(err: unknown, dispatcher: CancellingDispatcher, endpoint: LiveEndpoint): unknown {
    if (!dispatcher.answered || err === null || typeof err !== 'object' || invalidRequest(err)) return err;
    // fetch's own refusal carries no socket error: one that does failed on the network.
    const redirect = this.replayable || networkFailure(err) !== undefined ? 0 : dispatcher.unsentRedirect;
    if (redirect !== 0) {
      return new TypeError(
        `${this.#settings.service}: ${endpoint.id} answered ${redirect} (a redirect), which fetch cannot follow with a stream body: it cannot send the body again. ` +
          "Send a body it can (a string, Blob, ArrayBuffer, or a Request) to follow it, or pass redirect: 'manual' to get the redirect",
        { cause: err },
      );
    }
    AFTER_REDIRECT.set(err, dispatcher.redirectTarget);
    return err;
  }

  /**
   * `call`, which cancels a stream `init.body` (a `ReadableStream`) when it rejects before any
   * attempt handed the body to fetch (total timeout or abort while waiting for endpoints,
   * `close()`, no endpoint): fetch would cancel it on failure, and its source would else wait for
   * ever. `request`: a `Request`'s own body too (none given in `init`), for a call that ends for
   * the caller's abort or `close()` before it was read, as fetch cancels it then.
   */
  releasingBody(call: Promise<Response>, request = false): Promise<Response> {
    // A body in init replaces the Request's; `null` keeps it, as fetch reads it (fetch-args.ts).
    const initBody = this.#init.body;
    const body = request && (initBody === undefined || initBody === null) ? this.#request?.body : initBody;
    return releaseUnsent(call, body, () => this.sent);
  }

  /** Whether the call must read a `Request`'s body (with {@link readBody}) before its first attempt. */
  get hasBody(): boolean {
    return this.#request !== undefined;
  }

  /**
   * Reads a `Request`'s body, once per call, before any attempt is timed: the time the caller's
   * body takes (an upload passed on as it arrives) is not an endpoint's. Read from a clone (the
   * caller's Request stays unread), as a Blob: a stream would be sent chunked, without its
   * content-length, and fetch cannot follow a 307 or 308 with it; a Blob each send (and a
   * redirect) reads afresh, where Node 22's fetch detaches an ArrayBuffer's bytes as it sends them.
   */
  readBody(signal?: AbortSignal): Promise<Blob> {
    return (this.#body ??= readBlobOrReject(this.#request!, signal).catch((err: unknown) => {
      // A body already read, or one whose stream failed: no endpoint can take it (invalid request, as fetch refuses a used body).
      throw err instanceof TypeError ? err : new TypeError("client.fetch: the Request's body could not be read", { cause: err });
    }));
  }

  /** Sends a `Request`'s body as fetch sends it: the bytes {@link readBody} read, given to every attempt. */
  async #sendWithBody(url: string, init: RequestInit, attempt: AttemptHandle): Promise<Response> {
    init.body = await this.readBody();
    // Cut short while the body was read (timeout, abort, close): nothing is sent.
    const signal = attempt.signal;
    if (signal.aborted) throw signal.reason;
    return this.#settings.fetch(url, init);
  }

  /** Throws a `PluginError` (plugin `fetch`) when the fetch function resolved with something that is not a Response, or one that cannot be judged. */
  judge(outcome: Outcome<Response>, endpoint: LiveEndpoint): Judgement {
    if (outcome.ok) {
      if (!isResponse(outcome.value)) throw notAResponse(this.#settings.service, outcome.value);
      checkStatus(this.#settings.service, outcome.value);
      try {
        return this.#judge.judge(outcome, endpoint, this.idempotent);
      } catch (err) {
        // A classify's misbehaviour is a PluginError already; anything else is the Response's
        // headers that could not be read (a Proxy of a Headers, a getter that throws).
        throw err instanceof BulwarkError ? err : unreadable(this.#settings.service, err);
      }
    }
    const error = outcome.error as object;
    if (!AFTER_REDIRECT.has(error)) return this.#judge.judge(outcome, endpoint, this.idempotent);
    return this.#judge.judge(outcome, endpoint, this.idempotent, AFTER_REDIRECT.get(error) ?? true);
  }

  /**
   * Cancels a response's body (undici then closes its connection unless the body had all
   * arrived: nothing holds it while the retry goes out); anything else (a fetch function's answer
   * that is no Response) is left as it is.
   */
  discard(value: Response): void {
    try {
      value.body?.cancel().catch(ignore);
    } catch {
      // Not a Response: nothing of ours to release.
    }
  }

  /**
   * Frees the connection before a retry ({@link discard}); keeps status, headers and where the response came from
   * (`url`, `redirected`: a Response made here would say '' and false) in case the call ends on
   * it, without the headers that announced the body it no longer has (BODY_HEADERS).
   */
  detach(value: Response): Response {
    this.discard(value);
    try {
      const headers = new Headers(value.headers);
      for (const name of BODY_HEADERS) headers.delete(name);
      const kept = new Response(null, { status: value.status, statusText: value.statusText, headers });
      // Own properties in front of the prototype's getters, which read internal state no constructor sets.
      Object.defineProperties(kept, { url: { value: value.url, enumerable: true }, redirected: { value: value.redirected, enumerable: true } });
      return kept;
    } catch {
      return value;
    }
  }

  failure(error: unknown): unknown {
    return this.#judge.failure(error);
  }
}

/**
 * Errors of attempts whose fetch failed after the endpoint answered (it followed a redirect, or
 * was about to): the endpoint had the request. The value is the origin the redirect led to, when known.
 */
const AFTER_REDIRECT = new WeakMap<object, string | undefined>();

/**
 * The headers that announced a body a kept response no longer has: a gateway passing them on
 * would promise bytes that never come (bulwark/undici's request() and interceptor drop the
 * first two for the same reason). fetch has decoded the body, so its `content-encoding` goes too.
 */
const BODY_HEADERS = ['content-length', 'transfer-encoding', 'content-encoding'] as const;

/**
 * Whether a fetch function's answer is a Response: the global one, or another fetch's (undici's
 * own) with a numeric status, headers to read and a body to read as text or JSON (as
 * `FetchedResponse` types it): a plain `{ status, headers }` is none, and no caller could read it.
 */
function isResponse(value: unknown): value is Response {
  if (value instanceof Response) return true;
  if (value === null || typeof value !== 'object') return false;
  try {
    const { status, headers, text, json } = value as { status?: unknown; headers?: { get?: unknown } | null; text?: unknown; json?: unknown };
    return typeof status === 'number' && typeof headers === 'object' && headers !== null && typeof headers.get === 'function' && typeof text === 'function' && typeof json === 'function';
  } catch {
    return false;
  }
}

/** The error of a fetch function that resolved with `value`, which is not a Response (its type only: a value may hold secrets). */
function notAResponse(service: string, value: unknown): PluginError {
  if (value === undefined) return new PluginError(service, 'fetch', 'resolved with undefined, not a Response (a forgotten return?)');
  const what = value === null ? 'null' : typeof value === 'object' ? 'an object without a numeric status, headers and text() and json()' : `a ${typeof value}`;
  return new PluginError(service, 'fetch', `resolved with ${what}, not a Response (a test double can answer new Response(...))`);
}

/**
 * Throws a `PluginError` (plugin `fetch`) when a Response's status cannot be read (a Proxy of a
 * Response, whose getters need the real one, or a getter that throws) or it is a network error
 * (status 0: `Response.error()`), which fetch reports by rejecting; otherwise the judge would
 * blame the failure on the network and the endpoint, or return it as a success. Its headers are
 * read by the judge, whose throw `judge` turns into the same error.
 */
function checkStatus(service: string, value: Response): void {
  let status: number;
  try {
    status = value.status;
  } catch (err) {
    throw unreadable(service, err);
  }
  if (status === 0) throw new PluginError(service, 'fetch', 'resolved with a network-error Response (status 0, as Response.error() makes): a fetch function reports a network failure by rejecting, as fetch does');
}

/** The error of a fetch function's Response whose status or headers cannot be read. */
function unreadable(service: string, cause: unknown): PluginError {
  return new PluginError(service, 'fetch', 'resolved with a Response whose status or headers cannot be read (a Proxy of a Response, or a getter that throws)', { cause });
}

/** How the shared HTTP judge reads a fetch Response. */
const FETCH_READER: ResponseReader<Response> = {
  status: (res) => res.status,
  retryAfter: (res) => res.headers.get('retry-after'),
};

function ignore(): void {}

/** Whether fetch can send this body again: everything but streams and async iterables. */
export function isReplayableBody(body: unknown): boolean {
  if (body === undefined || body === null || typeof body === 'string') return true;
  if (body instanceof ReadableStream) return false;
  if (typeof body === 'object' && Symbol.asyncIterator in body) return false;
  return true;
}
