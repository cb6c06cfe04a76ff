import { describe, redactValue } from './redact.js';

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

  /**
   * @example
   * throw new BulwarkError('ERR_MY_ADAPTER', 'users', 'users: the registry refused the token');
   */
  constructor(code: string, service: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.service = service;
  }

  /** The class's name (`'TimeoutError'`, …), as an Error's `name`; assigning one sets it for this error, as on any Error. */
  override get name(): string {
    return this.constructor.name;
  }

  override set name(value: string) {
    Object.defineProperty(this, 'name', { value, writable: true, configurable: true, enumerable: false });
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
  /**
   * `detail` says why, when it is not the set being empty (bulwark's own words, never user input).
   *
   * @example
   * throw new NoEndpointsError('users', { detail: 'discovery has listed none yet' });
   */
  constructor(service: string, options?: { cause?: unknown; detail?: string }) {
    // The cause (a discovery error, a user's adapter's) is not quoted: it may hold secrets.
    const why = options?.detail !== undefined ? ` (${options.detail})` : options?.cause === undefined ? '' : ' (discovery failed: see the cause)';
    super('ERR_BULWARK_NO_ENDPOINTS', service, `${service}: no endpoints available${why}`, options === undefined ? undefined : { cause: options.cause });
  }
}

/** Which deadline ran out: the one of a single attempt or the one of the whole call. */
export type TimeoutScope = 'attempt' | 'total';

/**
 * A deadline ran out. `scope` says which: `'attempt'` (one try at one endpoint; the call may
 * still retry elsewhere) or `'total'` (the whole call, retries included).
 *
 * @example
 * if (err instanceof TimeoutError && err.scope === 'total') metrics.callDeadlineRanOut++;
 */
export class TimeoutError extends BulwarkError {
  /** Which deadline ran out. */
  readonly scope: TimeoutScope;
  /** The deadline that ran out, in milliseconds. */
  readonly timeout: number;

  /**
   * @example
   * throw new TimeoutError('users', 'attempt', 500, 'attempt 1 to http://10.0.0.1:8080');
   */
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
  /**
   * @example
   * throw new ClientClosedError('users');
   */
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

  /**
   * @example
   * throw new ConfigError('users', 'timeout.total', 'must be a number of ms > 0', -1);
   */
  constructor(service: string, path: string, expected: string, value: unknown) {
    super('ERR_BULWARK_CONFIG', service, `${service}: ${path} ${expected}, got ${describe(value)}`);
    this.path = path;
    this.value = redactValue(value, 0);
  }
}

/**
 * The client's service-level circuit breaker (`circuitBreaker` option) is open: the service
 * has been failing, so the call fails at once and nothing is sent.
 *
 * @example
 * catch (err) { if (err instanceof CircuitOpenError) return cachedAnswer(); }
 */
export class CircuitOpenError extends BulwarkError {
  /**
   * @example
   * throw new CircuitOpenError('users');
   */
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
  /**
   * @example
   * report(new DiscoveryError('users', 'the registry answered 503', { cause: err }));
   */
  constructor(service: string, detail: string, options?: { cause?: unknown }) {
    super('ERR_BULWARK_DISCOVERY', service, `${service}: ${detail}`, options);
  }
}

/**
 * Which user-supplied piece misbehaved (a breaker: the `health.breaker` or `circuitBreaker.breaker`
 * option; `fetch`: the `fetch` option's function, which resolved with something that is not a Response).
 */
export type PluginKind = 'picker' | 'classify' | 'health.breaker' | 'health.isFailure' | 'circuitBreaker.breaker' | 'fetch' | 'clock';

/**
 * A plugin (a custom picker, a `classify` function, a breaker of your own, the `fetch` function
 * you gave) returned something bulwark cannot use, or threw. The call fails with this error and
 * nothing more is sent; `cause` is what it threw.
 *
 * @example
 * // A picker that returns an endpoint it was not given:
 * await client.execute(fn).catch((err) => err instanceof PluginError && err.plugin === 'picker'); // true
 */
export class PluginError extends BulwarkError {
  /** Which plugin misbehaved. */
  readonly plugin: PluginKind;

  /**
   * @example
   * throw new PluginError('users', 'picker', 'myPicker.pick() threw', { cause: err });
   */
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

  /**
   * @example
   * throw new RequestFailedError('users', [{ endpoint: 'http://10.0.0.1:8080', reason: 'connection refused', status: undefined }], { cause: err });
   */
  constructor(service: string, attempts: readonly AttemptSummary[], options: { cause: unknown }) {
    const last = attempts[attempts.length - 1];
    const n = attempts.length;
    super('ERR_BULWARK_REQUEST_FAILED', service, `${service}: request failed after ${n} attempt${n === 1 ? '' : 's'}${last ? ` (last: ${last.reason} at ${last.endpoint})` : ''}`, options);
    this.endpoint = last?.endpoint ?? '';
    this.attempts = attempts;
  }
}
