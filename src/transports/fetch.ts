import type { AttemptHandle, Judgement, Transport } from '../call.js';
import { authorizationOf, type EndpointState } from '../endpoints/endpoint.js';
import type { CallOptions, Outcome } from '../config/options.js';
import { failureReason, isIdempotentMethod, isRetryableStatus, networkFailure, retryAfterMs } from './classify.js';

/** `RequestInit` plus bulwark's per-call options. */
export interface BulwarkRequestInit extends Omit<RequestInit, 'signal'>, CallOptions {}

/**
 * Runs a call as HTTP through a fetch function: the input's path and query go to the picked
 * endpoint's origin and base path. A response is a success unless its status is 5xx or 429;
 * 502/503/504/429 are retried for idempotent requests, connection failures that sent nothing
 * for any request.
 */
export class FetchTransport implements Transport<Response> {
  readonly idempotent: boolean;
  readonly replayable: boolean;
  readonly #fetch: typeof globalThis.fetch;
  readonly #path: string;
  readonly #init: RequestInit;
  readonly #callerSignal: AbortSignal | undefined;

  constructor(fetchImpl: typeof globalThis.fetch, path: string, init: RequestInit, idempotent: boolean | undefined, callerSignal: AbortSignal | undefined) {
    this.#fetch = fetchImpl;
    this.#callerSignal = callerSignal;
    this.#path = path;
    this.#init = init;
    this.idempotent = idempotent ?? isIdempotentMethod(init.method);
    this.replayable = isReplayableBody(init.body);
  }

  run(endpoint: EndpointState, call: AttemptHandle): Promise<Response> {
    const auth = authorizationOf(endpoint);
    const attemptSignal = call.attemptSignal();
    // With the caller's signal in it too, aborting after the headers still stops the body, as
    // with plain fetch; the attempt's own signal alone is let go when the call returns.
    const signal = this.#callerSignal === undefined ? attemptSignal : AbortSignal.any([this.#callerSignal, attemptSignal]);
    const init: RequestInit = { ...this.#init, signal };
    if (auth !== undefined) {
      const headers = new Headers(this.#init.headers);
      if (!headers.has('authorization')) headers.set('authorization', auth);
      init.headers = headers;
    }
    return this.#fetch(endpoint.url + this.#path, init);
  }

  judge(outcome: Outcome<Response>): Judgement {
    if (outcome.ok) {
      const status = outcome.value.status;
      if (isRetryableStatus(status)) {
        return {
          verdict: this.idempotent ? 'retry' : 'failure',
          reason: `status ${status}`,
          status,
          retryAfter: retryAfterMs(outcome.value.headers.get('retry-after'), Date.now()),
        };
      }
      return { verdict: status >= 500 ? 'failure' : 'success', reason: `status ${status}`, status };
    }
    const kind = networkFailure(outcome.error);
    const retry = kind === 'not-sent' || this.idempotent;
    return { verdict: retry ? 'retry' : 'failure', reason: failureReason(outcome.error) };
  }

  discard(value: Response): void {
    value.body?.cancel().catch(ignore);
  }
}

function ignore(): void {}

/** Whether fetch can send this body again: everything but streams and async iterables. */
export function isReplayableBody(body: unknown): boolean {
  if (body === undefined || body === null || typeof body === 'string') return true;
  if (body instanceof ReadableStream) return false;
  if (typeof body === 'object' && Symbol.asyncIterator in body) return false;
  return true;
}

/**
 * Splits `client.fetch`'s arguments into the path+query to send, the plain RequestInit, and
 * bulwark's own per-call options.
 */
export function splitFetchArgs(input: string | URL | Request, init: BulwarkRequestInit | undefined): {
  path: string; init: RequestInit; options: CallOptions;
} {
  let path: string;
  let base: RequestInit = {};
  if (typeof input === 'string') {
    path = input.startsWith('/') ? input : /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? pathOf(new URL(input)) : `/${input}`;
  } else if (input instanceof URL) {
    path = pathOf(input);
  } else if (input instanceof Request) {
    path = pathOf(new URL(input.url));
    base = { method: input.method, headers: input.headers, body: input.body, redirect: input.redirect };
    if (input.body !== null) (base as { duplex?: string }).duplex = 'half';
  } else {
    throw new TypeError('client.fetch: input must be a path string, a URL or a Request');
  }
  const requestSignal = typeof input === 'object' && 'signal' in input ? input.signal : undefined;
  if (init === undefined) return { path, init: base, options: { signal: requestSignal } };
  const { signal, timeout, idempotent, key, ...rest } = init;
  return { path, init: { ...base, ...rest }, options: { signal: signal ?? requestSignal, timeout, idempotent, key } };
}

function pathOf(url: URL): string {
  return url.pathname + url.search;
}
