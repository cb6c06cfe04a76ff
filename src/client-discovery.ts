// A client's link to its discovery adapter (docs/architecture.md, "Discovery adapters"): what an
// update, a failure or a rejected entry does to the client, and the events they make.
import type { CallEngine } from './call/engine.js';
import type { Client } from './client.js';
import { DnsError } from './discovery/dns-addresses.js';
import type { Discovery } from './discovery/discovery.js';
import { startDiscovery } from './discovery/start.js';
import { DiscoveryError } from './errors.js';
import { DeferredEvents } from './observe/deferred-events.js';
import { emitSafely, type ClientEvents } from './observe/events.js';
import { describe, reasonText, redactUrl } from './redact.js';

type DiscoveryEventName = 'endpoints' | 'endpointRejected' | 'discoveryError';

/**
 * Feeds a client from its discovery: an update replaces the registry's set, a failed refresh
 * is remembered (the cause of a later `NoEndpointsError`) and fails calls waiting for a first
 * set, a rejected entry is reported. Every event it emits waits for the ones deferred out of
 * `createClient` (a static list arrives while the constructor runs), and none is emitted once
 * the client is closed.
 *
 * @example
 * const link = new DiscoveryLink(client, 'users', () => closed);
 * const stop = link.start(discovery, engine);
 */
export class DiscoveryLink {
  readonly #client: Client;
  readonly #name: string;
  readonly #closed: () => boolean;
  readonly #events = new DeferredEvents();
  #engine: CallEngine | undefined;

  constructor(client: Client, name: string, closed: () => boolean) {
    this.#client = client;
    this.#name = name;
    this.#closed = closed;
  }

  /** Watches `discovery` for `engine`; returns the adapter's stop. Events of a set given at once wait a microtask. */
  start(discovery: Discovery, engine: CallEngine): () => void | Promise<void> {
    this.#engine = engine;
    this.#events.hold();
    const stop = startDiscovery(discovery, {
      update: (endpoints) => {
        if (this.#closed()) return;
        engine.host.lastDiscoveryError = undefined;
        try {
          engine.host.registry.replace(endpoints);
        } catch (err) {
          // A hostile update (a throwing Proxy, say) is a failed refresh, never an exception in the adapter.
          this.failed(err);
        }
      },
      // A DNS refresh that went on without one family's query (a `partial` DnsError) updated the
      // set: reported, but no failed refresh (no later NoEndpointsError names it as its cause).
      error: (error) => (partialDnsError(error) ? this.reportOnly(error) : this.failed(error)),
      rejected: (entry, reason) => {
        if (!this.#closed()) this.emitSoon('endpointRejected', { entry: typeof entry === 'string' ? redactUrl(entry) : describe(entry), reason: reasonText(reason) });
      },
    });
    this.#events.release();
    return stop;
  }

  /** A `discoveryError` that is no failed refresh: the set stays known, and no later NoEndpointsError names it as its cause. */
  reportOnly(error: unknown): void {
    if (!this.#closed()) this.emitSoon('discoveryError', { error });
  }

  /** A failed refresh (or an update that could not be read). */
  failed(reported: unknown): void {
    if (this.#closed()) return;
    // `undefined` is how the client says "no failure" (host.lastDiscoveryError): a failure reported
    // without a reason (a `.catch(error)` on a promise rejected with none) is still one.
    const error = reported ?? new DiscoveryError(this.#name, `discovery reported an error without a reason (error(${String(reported)}))`);
    const engine = this.#engine!;
    engine.host.lastDiscoveryError = error;
    this.emitSoon('discoveryError', { error });
    engine.discoveryFailed(error);
  }

  /**
   * Emits a discovery event, in order with the ones deferred out of createClient; one deferred
   * past a `close()` is dropped then, as every discovery event after it is.
   */
  emitSoon<K extends DiscoveryEventName>(name: K, event: ClientEvents[K][0]): void {
    this.#events.emit(() => {
      if (!this.#closed()) emitSafely(this.#client, name, ...([event] as ClientEvents[K]));
    });
  }
}

/**
 * Whether a discovery's error is a `partial` DnsError (a refresh that went on without one
 * family). A value whose prototype cannot be read (a revoked Proxy) is none: it is a failed
 * refresh like any other, never an exception thrown back into the adapter.
 */
function partialDnsError(error: unknown): boolean {
  try {
    return error instanceof DnsError && error.partial;
  } catch {
    return false;
  }
}
