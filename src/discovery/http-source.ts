// One HTTP request to a registry's REST API (Consul, Eureka) for a discovery adapter: over the
// user's `fetch`, bounded in time (an unref'd timer, cleared when the request ends) and in
// size (the body is read up to a limit), and aborted at once when the adapter stops.

import { ConfigError } from '../errors.js';
import { messageOf } from '../message-of.js';

/**
 * A fetch for an adapter, as you would type a wrapper or test double of yours: called with the
 * request's URL as a string and a plain init (method, signal, `redirect: 'error'`, string
 * headers, a string body), resolving with a `Response`. The adapters' `fetch` option takes any
 * such function, and undici 8's own fetch too ({@link FetchFnOption}: with the DOM lib, undici's
 * `Response` is not the global one to TypeScript, so undici's fetch is a `FetchFnOption` but not
 * a `FetchFn`).
 *
 * @example
 * import { fetch as undiciFetch } from 'undici';
 * consulDiscovery({ service: 'users', url: 'http://127.0.0.1:8500', fetch: undiciFetch });
 * const logged: FetchFn = (input, init) => {
 *   console.log(init.method, input);
 *   return fetch(input, init);
 * };
 */
export type FetchFn = (input: string, init: FetchFnInit) => Promise<Response>;

/** The request a registry adapter asks a {@link FetchFn} for (see there). */
export interface FetchFnInit {
  readonly method: string;
  readonly signal: AbortSignal;
  readonly redirect: 'error';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/**
 * What the adapters' `fetch` option takes: any {@link FetchFn}, and undici 8's own fetch, typed
 * by what the adapter passes and reads ({@link FetchFnResponse}), since undici's fetch types and
 * the DOM lib's differ in members it never reads.
 *
 * @example
 * import { fetch as undiciFetch } from 'undici';
 * const option: FetchFnOption = undiciFetch;
 * eurekaDiscovery({ url: 'http://127.0.0.1:8761/eureka', app: 'USERS', fetch: option });
 */
export type FetchFnOption = (input: string, init: FetchFnInit) => Promise<FetchFnResponse>;

/**
 * What a {@link FetchFnOption} resolves with: a Response (the global one, undici's own) by the
 * shape the adapter reads, its status, headers and body.
 *
 * @example
 * const answer: FetchFnResponse = await undiciFetch('http://127.0.0.1:8500/v1/health/service/users');
 */
export interface FetchFnResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body: {
    getReader(): { read(): Promise<{ readonly done: boolean; readonly value?: Uint8Array | undefined }>; cancel(reason?: unknown): Promise<void> };
  } | null;
}

/** What one registry request asks for. */
export interface SourceRequest {
  readonly url: string;
  readonly method?: string | undefined;
  readonly headers?: Record<string, string> | undefined;
  readonly body?: string | undefined;
  /** The request's whole time budget, ms: headers and body. */
  readonly timeout: number;
  /** Largest body read, in bytes; a bigger one fails the request. */
  readonly maxBytes: number;
}

/** A registry's answer: status, headers, and the body as text. */
export interface SourceResponse {
  readonly status: number;
  readonly headers: FetchFnResponse['headers'];
  readonly text: string;
}

/** Why a registry request failed before any answer could be used: timed out, too large, or the network. */
export class SourceRequestError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceRequestError';
  }
}

/**
 * Sends one request and reads its body as text. Rejects with a {@link SourceRequestError} when
 * the request fails, takes longer than `timeout` or returns more than `maxBytes`; with the
 * abort reason when `signal` aborts. `shownUrl` is what error messages name (no secrets).
 *
 * @example
 * const r = await requestSource(fetch, { url, timeout: 10_000, maxBytes: 1 << 20 }, 'http://consul:8500/v1/…', signal);
 */
export async function requestSource(fetchFn: FetchFnOption, req: SourceRequest, shownUrl: string, signal: AbortSignal): Promise<SourceResponse> {
  if (signal.aborted) throw signal.reason;
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = (): void => controller.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new SourceRequestError(`${req.method ?? 'GET'} ${shownUrl} timed out after ${req.timeout} ms`));
  }, req.timeout);
  timer.unref();
  try {
    const work = (async (): Promise<SourceResponse> => {
      const response = await fetchFn(req.url, {
        method: req.method ?? 'GET',
        signal: controller.signal,
        redirect: 'error',
        ...(req.headers === undefined ? {} : { headers: req.headers }),
        ...(req.body === undefined ? {} : { body: req.body }),
      });
      const text = await readText(response, req.maxBytes, shownUrl, controller);
      return { status: response.status, headers: response.headers, text };
    })();
    // A `fetch` of the user's that does not pass the signal on (a wrapper that builds its own
    // init) would otherwise hold the adapter for as long as the registry stays silent: the
    // request is given up when its signal aborts, whatever the fetch does; its late end is dropped.
    const givenUp = new Promise<never>((_resolve, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    work.catch(() => {});
    givenUp.catch(() => {});
    return await Promise.race([work, givenUp]);
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (timedOut) throw controller.signal.reason;
    if (err instanceof SourceRequestError) throw err;
    throw new SourceRequestError(`${req.method ?? 'GET'} ${shownUrl} failed: ${messageWithCause(err)}`, { cause: err });
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/** Reads a body up to `maxBytes`, cancelling the stream (and so the connection) past it. */
async function readText(response: FetchFnResponse, maxBytes: number, shownUrl: string, controller: AbortController): Promise<string> {
  const tooLarge = (): SourceRequestError => new SourceRequestError(`${shownUrl} answered more than ${maxBytes} bytes`);
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    controller.abort(tooLarge());
    throw tooLarge();
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  // Given up (its time is up, the adapter stopped) while the body is read, or before it was: a
  // fetch of the user's that ignores its signal would leave the stream, and its connection, open.
  const cancel = (): void => {
    reader.cancel(controller.signal.reason).catch(() => {});
  };
  if (controller.signal.aborted) {
    cancel();
    throw controller.signal.reason;
  }
  controller.signal.addEventListener('abort', cancel, { once: true });
  try {
    return await readAll(reader, maxBytes, tooLarge, controller);
  } finally {
    controller.signal.removeEventListener('abort', cancel);
  }
}

/** The rest of {@link readText}: the chunks up to `maxBytes`, as UTF-8 text. */
async function readAll(reader: ReturnType<NonNullable<FetchFnResponse['body']>['getReader']>, maxBytes: number, tooLarge: () => SourceRequestError, controller: AbortController): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done || value === undefined) break;
    size += value.byteLength;
    if (size > maxBytes) {
      controller.abort(tooLarge());
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** A short message for an unknown thrown value, with fetch's `cause` (ECONNREFUSED …) when it has one. */
export function messageWithCause(err: unknown): string {
  if (!(err instanceof Error)) return messageOf(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}

/** A header name fetch accepts: an RFC 9110 token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A header value fetch can send: Latin-1 (a ByteString) without NUL, CR or LF. */
const HEADER_VALUE = /^[^\0\r\n\u0100-\uffff]*$/;

/**
 * Whether fetch accepts `name` as a header name. Checked when a registry adapter is created:
 * fetch would otherwise refuse it on every refresh, and the client would never get a set.
 *
 * @example
 * if (!isHeaderName(k)) throw new ConfigError(who, `headers.${k}`, 'must be a header name', k);
 */
export function isHeaderName(name: string): boolean {
  return HEADER_NAME.test(name);
}

/**
 * Whether fetch can send `value` as a header value (Latin-1, no line breaks or NUL bytes).
 *
 * @example
 * if (!isHeaderValue(token)) throw new ConfigError(who, 'token', HEADER_VALUE_RULE, '(hidden)');
 */
export function isHeaderValue(value: unknown): value is string {
  return typeof value === 'string' && HEADER_VALUE.test(value);
}

/** What {@link isHeaderValue} asks, for a ConfigError. */
export const HEADER_VALUE_RULE = 'must be a string of Latin-1 characters without line breaks or NUL bytes (fetch can send no other)';

/**
 * The first `max` characters of a registry's error body, on one line, for an error message.
 * Hide secrets in the whole body first: one the cut splits would no longer be found.
 */
export function snippet(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/**
 * Checks a registry's base URL: http or https, without userinfo (credentials go in headers),
 * query or fragment. Returns it without a trailing slash.
 * @throws ConfigError naming `url` (shown without credentials).
 */
export function checkBaseUrl(url: unknown, who: string): string {
  const bad = (): ConfigError => new ConfigError(who, 'url', 'must be an http:// or https:// URL without credentials, query or fragment', url);
  if (typeof url !== 'string') throw bad();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad();
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.username !== '' || parsed.password !== '' || parsed.search !== '' || parsed.hash !== '' || url.includes('@')) throw bad();
  return parsed.href.replace(/\/+$/, '');
}
