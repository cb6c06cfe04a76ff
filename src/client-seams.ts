// The internal seams `bulwark/grpc` and `bulwark/undici` reach a Client through (not exported
// from the package's main entry). Client fills `seams` in from its static block, where its
// private fields are in reach.
import type { Client } from './client.js';
import type { ExecuteOptions } from './config/options.js';
import type { ResolvedOptions } from './config/resolved.js';
import type { Endpoint } from './endpoints/endpoint.js';
import type { HttpCheck } from './health/checks.js';
import type { Transport } from './transports/transport.js';

/** What a transport from another entry point (`bulwark/grpc`, `bulwark/undici`) is made from. */
export interface TransportSetup {
  /** The client's resolved options (its name, status codes, …). */
  readonly options: ResolvedOptions;
  /** The caller's signal for this call, already validated. */
  readonly signal: AbortSignal | undefined;
}

interface Seams {
  runTransport<T>(client: Client, options: ExecuteOptions<T> | undefined, make: (setup: TransportSetup) => Transport<T>): Promise<T>;
  onEndpointsRemoved(client: Client, hook: (removed: readonly Endpoint[]) => void): void;
  useHttpCheck(client: Client, check: HttpCheck): void;
}

/** Set by Client's static block. */
export const seams = {} as Seams;

/**
 * Runs one call of a transport defined outside client.ts through a client's whole pipeline:
 * `options` are validated as `execute`'s are, then `make` builds the call's transport.
 *
 * @example
 * return runTransport(client, call, () => new UnaryTransport(setup, request, metadata, idempotent));
 */
export function runTransport<T>(client: Client, options: ExecuteOptions<T> | undefined, make: (setup: TransportSetup) => Transport<T>): Promise<T> {
  return seams.runTransport(client, options, make);
}

/**
 * Calls `hook` with the endpoints each discovery update removes or takes out of this client's
 * subset, as the update lands and whatever listeners a user adds or removes: how such an
 * endpoint's pool or channel is released (one that comes back gets a new one).
 *
 * @example
 * onEndpointsRemoved(client, (removed) => { for (const e of removed) pool.release(e); });
 */
export function onEndpointsRemoved(client: Client, hook: (removed: readonly Endpoint[]) => void): void {
  seams.onEndpointsRemoved(client, hook);
}

/**
 * Sends the client's default HTTP health check with `check` (how `bulwark/undici` checks through its pools).
 *
 * @example
 * useHttpCheck(client, (endpoint, path, signal) => pools.check(endpoint, path, signal));
 */
export function useHttpCheck(client: Client, check: HttpCheck): void {
  seams.useHttpCheck(client, check);
}
