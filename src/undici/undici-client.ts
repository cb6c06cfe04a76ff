import type { Dispatcher, Pool } from 'undici';
import { CloseOnce } from '../close-once.js';
import { Client } from '../client.js';
import { onEndpointsRemoved, runTransport, useHttpCheck } from '../client-seams.js';
import { checkFetchInit } from '../config/call-options.js';
import { checkKeys, type KeySet, type Table } from '../config/keys.js';
import { wrapperKeys } from '../config/option-keys.js';
import type { CallOptions, Classify, ClientOptions, ExecuteOptions } from '../config/options.js';
import { ConfigError } from '../errors.js';
import { isThenable, notPlainError } from '../config/fields.js';
import { EndpointPools } from './pools.js';
import { checkPoolOptions } from './pool-options.js';
import { UndiciRequestTransport, type UndiciDispatchOptions } from './request-transport.js';
import { withReplayableHeaders } from './headers.js';
import { requestTarget } from '../transports/request-path.js';
import { releaseBody, releaseUnsent } from '../transports/release-body.js';

/** Options of {@link createUndiciClient}: the client's own, plus the options of each endpoint's undici `Pool`. */
export interface UndiciClientOptions extends ClientOptions {
  /**
   * Options of the `Pool` made for each endpoint (`connections`, `keepAliveTimeout`, `connect`,
   * `allowH2`, …), passed through as they are. Default: undici's (unlimited connections,
   * 4 s keep-alive, 300 s headers and body timeouts — bulwark's deadlines end calls much sooner).
   * Values undici refuses, the Pool's or each connection's (`keepAliveTimeout: -1`), and a
   * `pipelining` that is not an integer ≥ 0 throw `ConfigError` (path `pool`) at creation.
   */
  pool?: Pool.Options | undefined;
}

/**
 * createClient's keys plus `pool`, reported as options of createUndiciClient. `pool` itself goes
 * to undici's `Pool` as it is (undici reads and checks it), so its keys are not checked here.
 */
const KEYS: KeySet = wrapperKeys('createUndiciClient', Object.keys({ pool: true } satisfies Table<Omit<UndiciClientOptions, keyof ClientOptions>>));

/** A response as undici's `request` gives it: `statusCode`, `headers`, `body` (a stream with `text()`, `json()`, `dump()`), `trailers`. */
export type UndiciResponse = Dispatcher.ResponseData<unknown>;

/** Options of {@link UndiciClient.request}: undici's request options (method, headers, body, query, …) and bulwark's per-call options. */
export interface UndiciRequestOptions extends UndiciDispatchOptions, CallOptions {
  /**
   * Decides what a response or error means, attempt timeouts included; `undefined` keeps the
   * default rules (those of `client.fetch`).
   *
   * @example
   * classify: (o) => (o.ok && o.value.statusCode === 500 ? 'retry' : undefined)
   */
  classify?: Classify<UndiciResponse> | undefined;
}

/**
 * Creates a client whose HTTP calls go over undici: one connection `Pool` per endpoint (made on
 * first use, closed when the endpoint leaves or the client closes), under the same pipeline,
 * options, events and `stats()` as {@link createClient}'s.
 *
 * @example
 * import { createUndiciClient } from 'bulwark/undici';
 * const users = createUndiciClient({ name: 'users', discovery: ['http://10.0.0.1:8080', 'http://10.0.0.2:8080'], pool: { connections: 32 } });
 * const { statusCode, body } = await users.request('/v1/users/42', { timeout: { total: 2_000 } });
 * const user = await body.json();
 */
export function createUndiciClient(options: UndiciClientOptions): UndiciClient {
  return new UndiciClient(options);
}

/**
 * A bulwark client over undici pools: a `Client` (fetch, execute, events, stats, close) with
 * `request()` added. Create it with {@link createUndiciClient}.
 *
 * @example
 * const { statusCode, body } = await users.request('/v1/users/42');
 */
export class UndiciClient extends Client {
  readonly #pools: EndpointPools;
  readonly #closing = new CloseOnce();

  /**
   * @example
   * const users = new UndiciClient({ name: 'users', discovery: ['10.0.0.1:8080'] }); // as createUndiciClient(…) makes it
   */
  constructor(options: UndiciClientOptions) {
    if (options === null || typeof options !== 'object') throw new ConfigError('createUndiciClient', 'options', 'must be an object', options);
    const { pool, ...rest } = options;
    const service = typeof rest.name === 'string' ? rest.name : 'undici';
    // Checked here, not by createClient: a near miss of `pool` is then suggested, and this function named.
    checkKeys(service, options, '', KEYS);
    checkPoolOptions(service, pool);
    super(rest);
    this.#pools = new EndpointPools(pool);
    onEndpointsRemoved(this, (removed) => this.#pools.removed(removed));
    // The default health check goes as this client's calls go: through the endpoint's pool.
    useHttpCheck(this, (e, path, signal) => this.#pools.check(e, path, signal));
  }

  /**
   * Sends `path` (with its query) to a picked endpoint, retrying on another as `client.fetch`
   * does; resolves with undici's `{ statusCode, headers, body, trailers }` of the last attempt
   * whatever its status; rejects only when no response was obtained (`RequestFailedError`,
   * `TimeoutError`, `NoEndpointsError`, the caller's abort reason, `ClientClosedError`; for a
   * stream body whose own source failed, that error as it is, the endpoint not blamed). Read or
   * `dump()` the body, or the connection stays taken. A stream body gets one attempt.
   *
   * @example
   * const { statusCode, body } = await users.request('/v1/users', { method: 'POST', body: JSON.stringify(u), headers: { 'content-type': 'application/json' } });
   */
  request(path: string, options?: UndiciRequestOptions): Promise<UndiciResponse> {
    let target: string;
    let call: ExecuteOptions<UndiciResponse> | undefined;
    let dispatch: UndiciDispatchOptions = {};
    let classify: Classify<UndiciResponse> | undefined;
    let idempotent: boolean | undefined;
    try {
      checkRequestOptions(this.name, options);
      target = pathOf(this.name, path);
      // As for fetch's init: a client option (`retry`) or a near miss of a per-call one (`timout`) is refused; other keys are undici's.
      checkFetchInit(this.name, options);
      // Read here, inside the try: a getter of the caller's that throws rejects the call, as undici's request() does.
      if (options !== undefined && options !== null) {
        const { signal, timeout, idempotent: idem, key, hedge, classify: cls, ...rest } = options;
        // Headers a generator yields are read once, for every attempt.
        dispatch = withReplayableHeaders(rest);
        classify = cls;
        idempotent = idem;
        // Without per-call options the call takes the client's defaults as they are (nothing validated per call).
        // `classify` too: validated (a ConfigError before anything is sent), as execute's and fetch's are.
        if (signal !== undefined || timeout !== undefined || idem !== undefined || key !== undefined || hedge !== undefined || cls !== undefined) call = { signal, timeout, idempotent: idem, key, hedge, classify: cls };
      }
    } catch (err) {
      // Refused before anything is sent: a stream body is destroyed, as undici's request() does.
      if (options !== undefined && options !== null && typeof options === 'object') releaseBody(bodyOf(options), err);
      return Promise.reject(err);
    }
    let transport: UndiciRequestTransport | undefined;
    const running = runTransport(this, call, ({ options: resolved, signal }) =>
      (transport = new UndiciRequestTransport({ service: this.name, statusCodes: resolved.statusCodes, pools: this.#pools }, target, dispatch, idempotent, classify, signal ?? undefined)));
    // A stream body of a call that ends before any attempt handed it to undici (total timeout or
    // abort while waiting for endpoints, close(), a refused option) is destroyed, as undici does on failure.
    return releaseUnsent(running, dispatch.body, () => transport?.sent === true);
  }

  /**
   * How many endpoint pools are open (for tests and `stats()`-like checks).
   *
   * @example
   * expect(users.openPools).toBe(users.endpoints().length);
   */
  get openPools(): number {
    return this.#pools.size;
  }

  /**
   * Closes the client as {@link Client.close} does, then its pools: a body still being read gets
   * a moment to finish, then every socket is closed.
   *
   * @example
   * process.on('SIGTERM', () => void users.close());
   */
  override close(): Promise<void> {
    return this.#closing.run(() => super.close(), () => this.#pools.close());
  }
}

/**
 * Refuses `request()`'s options that undici would misread: options that are not an object (a
 * string's characters would be spread into undici's options, and a GET sent), a `method` that
 * is not a string.
 */
function checkRequestOptions(service: string, options: unknown): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object') throw new ConfigError(service, 'options', 'must be an object', options);
  // A Promise has no request options of its own: every one would be read as absent (a GET).
  if (isThenable(options)) throw notPlainError(service, 'options', options, 'must be an object of request options', 'its options would be read as none');
  const method = (options as { method?: unknown }).method;
  if (method !== undefined && typeof method !== 'string') throw new ConfigError(service, 'method', "must be a string (an HTTP method such as 'POST')", method);
}

/** `options.body`, or `undefined` when reading it throws. */
function bodyOf(options: object): unknown {
  try {
    return (options as { body?: unknown }).body;
  } catch {
    return undefined;
  }
}

/** The path and query to send: `/x?y`, or those of an absolute URL; under the base path whatever its dot segments (request-path.ts). */
function pathOf(service: string, path: unknown): string {
  if (typeof path !== 'string') throw new ConfigError(service, 'path', 'must be a string (a path, or an http(s) URL)', path);
  if (path.startsWith('/')) return requestTarget(path);
  if (/^https?:\/\//i.test(path)) {
    // URL's own error would show the whole text, userinfo included: ConfigError shows it without.
    const url = URL.parse(path);
    if (url === null) throw new ConfigError(service, 'path', 'must be a path or a valid http(s) URL', path);
    return url.pathname + url.search;
  }
  return requestTarget(`/${path}`);
}
