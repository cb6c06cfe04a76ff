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
 * // ConfigError: x: retry.attempts must be an integer ≥ 1, got -1
 */
export class ConfigError extends BulwarkError {
  /** The option path, e.g. `retry.attempts` or `discovery[2]`. */
  readonly path: string;
  /** The value that was rejected (secrets removed). */
  readonly value: unknown;

  constructor(service: string, path: string, expected: string, value: unknown) {
    super('ERR_BULWARK_CONFIG', service, `${service}: ${path} ${expected}, got ${describe(value)}`);
    this.path = path;
    this.value = typeof value === 'string' ? redactUrl(value) : value;
  }
}

/** A short, secret-free rendering of a rejected option value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(redactUrl(value));
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  try {
    return JSON.stringify(value, (k, v: unknown) => (typeof v === 'string' && k !== '' ? redactUrl(v) : v)).slice(0, 120);
  } catch {
    return 'an object';
  }
}

/**
 * Removes userinfo (`user:password@`) from URLs in `text`, and from a bare `user:pass@host`:
 * everything up to the last `@` before the path, whatever characters the password holds.
 */
export function redactUrl(text: string): string {
  return text.replace(/(\/\/)[^/?#]*@/g, '$1').replace(/^[^/?#]*@/, '');
}
