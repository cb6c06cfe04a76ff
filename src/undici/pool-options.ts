import { Client, Pool } from 'undici';
import { hideValue } from '../config/keys.js';
import { ConfigError } from '../errors.js';
import { messageOf } from '../message-of.js';

/**
 * Fails at creation, not at the first request, on pool options undici refuses: those the `Pool`
 * checks, and those of each connection, which a Pool passes to the `Client`s it makes (with the
 * default `factory`) only on the first request (`keepAliveTimeout`, `headersTimeout`,
 * `bodyTimeout`, `maxResponseSize`, the old `idleTimeout`, …). Both are made here and destroyed
 * at once, unconnected (no socket, no timer). A `pipelining` that is not an integer ≥ 0 is
 * refused too: undici takes it, and then sends nothing. A `factory` of the user's gets the
 * options as they are, to check itself.
 *
 * @example
 * checkPoolOptions('users', { keepAliveTimeout: -1 }); // throws ConfigError (path `pool`)
 */
export function checkPoolOptions(service: string, pool: unknown): void {
  if (pool === undefined) return;
  if (pool === null || typeof pool !== 'object') throw new ConfigError(service, 'pool', 'must be an object of undici Pool options', pool);
  try {
    void new Pool(PROBE_ORIGIN, pool as Pool.Options).destroy();
    const options = pool as Pool.Options;
    if (options.factory === undefined || options.factory === null) void new Client(PROBE_ORIGIN, connectionOptions(options)).destroy();
  } catch (err) {
    throw new ConfigError(service, 'pool', `was refused by undici (${messageOf(err)})`, shownPoolOptions(pool));
  }
  let pipelining: unknown;
  try {
    pipelining = (pool as { pipelining?: unknown }).pipelining;
  } catch {
    return; // undici read it above without a throw: a getter that throws now is undici's to meet
  }
  if (pipelining !== undefined && pipelining !== null && !(Number.isInteger(pipelining) && (pipelining as number) >= 0)) {
    throw new ConfigError(service, 'pool', 'pipelining must be an integer of 0 or more (with any other value undici sends no request)', shownPoolOptions(pool));
  }
}

/** Where the probe Pool and Client would connect: never, as they are destroyed before any request. */
const PROBE_ORIGIN = 'http://127.0.0.1';

/**
 * The options a Pool gives each `Client` it makes: its own without the Pool's keys and those it
 * builds its connector from (`connect`, `tls`, `connectTimeout`, … checked by the Pool), with a
 * connector (here one never called).
 */
function connectionOptions(options: Pool.Options): Client.Options {
  const {
    connections: _connections, factory: _factory, connect: _connect, connectTimeout: _connectTimeout, tls: _tls,
    maxCachedSessions: _maxCachedSessions, autoSelectFamily: _autoSelectFamily, autoSelectFamilyAttemptTimeout: _attemptTimeout,
    ...perConnection
  } = options as Pool.Options & { tls?: unknown };
  return { ...perConnection, connect: neverConnect };
}

function neverConnect(_options: unknown, callback: (error: Error, socket: null) => void): void {
  callback(new Error('bulwark: a probe of pool options never connects'), null);
}

/**
 * The pool options as a refused-pool error shows them: every option's name, with only number and
 * boolean values (a string or an object may be a TLS key, a passphrase, a proxy's credentials).
 */
export function shownPoolOptions(pool: object): Record<string, unknown> | string {
  try {
    const shown: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(pool)) shown[key] = hideValue(value);
    return shown;
  } catch {
    return 'an unreadable object';
  }
}
