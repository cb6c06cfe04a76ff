import type { Endpoint } from '../endpoints/endpoint.js';
import type { PluginError } from '../errors.js';

/** The endpoint set changed: the full new set, and what came and went (by id). */
export interface EndpointsEvent {
  readonly endpoints: readonly Endpoint[];
  readonly added: readonly Endpoint[];
  readonly removed: readonly Endpoint[];
}

/** One attempt finished: judged a success or a failure, or cancelled. */
export interface AttemptEvent {
  readonly endpoint: Endpoint;
  /** 1-based attempt number within its call. */
  readonly attempt: number;
  /** `verdict === 'success'`. */
  readonly ok: boolean;
  /**
   * How the attempt was judged: `'success'`, `'failure'` (not retried), `'retry'` (worth another
   * try), or `'cancelled'` (the caller aborted, the client closed, another attempt of a hedged
   * call won, the request was invalid and refused before anything was sent, or its stream
   * body's own source failed while it was sent); cancelled
   * attempts count neither for nor against the endpoint.
   */
  readonly verdict: 'success' | 'failure' | 'retry' | 'cancelled';
  /** Whether this attempt was a hedge. */
  readonly hedge: boolean;
  /** Milliseconds the attempt took. */
  readonly latency: number;
  /** What happened, in a few words: `status 200`, `connection refused`, `attempt timeout`, `ECONNRESET`, … */
  readonly reason: string;
  /** HTTP status, for `fetch` attempts that got a response. */
  readonly status: number | undefined;
  /** What went wrong, for failed attempts without a response. */
  readonly error: unknown;
}

/** A call will try again. */
export interface RetryEvent {
  /** The endpoint whose attempt failed. */
  readonly endpoint: Endpoint;
  /** The attempt about to start (2 for the first retry). */
  readonly attempt: number;
  /** Milliseconds the call waits before it. */
  readonly delay: number;
  /** Why: `status 503`, `connection refused`, `attempt timeout`, … */
  readonly reason: string;
}

/** A hedge was sent: the call's earlier attempt had not answered after the hedge delay. */
export interface HedgeEvent {
  /** The endpoint the hedge goes to. */
  readonly endpoint: Endpoint;
  /** The hedge's attempt number. */
  readonly attempt: number;
  /** Milliseconds since the call started (any wait for a first endpoint set included). */
  readonly after: number;
}

/** An endpoint's health changed: it was ejected, came up for probing, or was re-admitted. */
export interface HealthEvent {
  readonly endpoint: Endpoint;
  readonly status: 'healthy' | 'ejected' | 'probing';
  readonly previous: 'healthy' | 'ejected' | 'probing';
  /**
   * Why: `breaker opened (status 503)`, `probe failed (connection refused)`, `health check failed
   * (timeout)`, an outlier's `success rate 40.0 % below 85.0 % (peers' mean 95.0 %)` or `60 % of
   * attempts failed` (ejected); `ejection over` (probing); `probe succeeded`, `health check
   * passed`, `probe failed (…); kept in at the max-ejection limit` (healthy).
   */
  readonly reason: string;
  /** Times ejected since its last stable period. */
  readonly ejections: number;
  /**
   * For `ejected`: how long until probing starts, from now, in ms (as `stats()`'s `nextProbeIn`):
   * less than the ejection time for an outlier ejection that started at its interval's end, in
   * the past; `undefined` for an ejection by active checks (it lasts until they pass).
   */
  readonly ejectedFor: number | undefined;
}

/**
 * Too few endpoints are healthy: calls go to all of them (panic), or, with several priorities, to
 * all endpoints of each priority with a share of the calls that is itself below the threshold
 * (README, "Endpoint health"); or panic is over.
 */
export interface PanicEvent {
  readonly active: boolean;
  /** Endpoints taking calls normally (healthy or probing), and all endpoints. */
  readonly healthy: number;
  readonly total: number;
}

/** The service-level circuit breaker changed state. */
export interface CircuitEvent {
  readonly state: 'closed' | 'open' | 'half-open';
  readonly previous: 'closed' | 'open' | 'half-open';
}

/** A retry was wanted but the retry budget had none left, so the call gave up early. */
export interface BudgetExhaustedEvent {
  readonly endpoint: Endpoint;
  readonly attempt: number;
  readonly reason: string;
}

/** A discovery refresh failed; the client keeps the last good set. */
export interface DiscoveryErrorEvent {
  readonly error: unknown;
}

/** Discovery sent an entry that is not a valid endpoint; it was dropped. */
export interface EndpointRejectedEvent {
  /** The entry as text, with any URL userinfo removed and a query cut to `?…`; an object entry as (cut) JSON. */
  readonly entry: unknown;
  readonly reason: string;
}

/** `reconfigure` applied a document (directly or from a `watchConfig` source). */
export interface ConfigChangedEvent {
  /** The document as given. */
  readonly document: unknown;
}

/** A configuration document was invalid, or its source failed: the last good configuration stays. */
export interface ConfigRejectedEvent {
  /** A `ConfigError` naming the bad key, or the source's error. */
  readonly error: unknown;
}

/**
 * The client's events, by name. Subscribe with `client.on(name, listener)`.
 *
 * @example
 * users.on('retry', (e) => log.info(`retrying on another endpoint after ${e.reason}`));
 */
export interface ClientEvents {
  endpoints: [event: EndpointsEvent];
  attempt: [event: AttemptEvent];
  retry: [event: RetryEvent];
  hedge: [event: HedgeEvent];
  health: [event: HealthEvent];
  panic: [event: PanicEvent];
  circuit: [event: CircuitEvent];
  budgetExhausted: [event: BudgetExhaustedEvent];
  discoveryError: [event: DiscoveryErrorEvent];
  endpointRejected: [event: EndpointRejectedEvent];
  configChanged: [event: ConfigChangedEvent];
  configRejected: [event: ConfigRejectedEvent];
}

/**
 * Emits an event without letting a listener's exception reach the call that emitted it: the
 * call goes on, and the exception is rethrown on its own (an uncaught exception, as a throwing
 * listener would be anywhere else in Node), so it is neither swallowed nor turned into a
 * failed call.
 */
export function emitSafely<K extends keyof ClientEvents>(events: EventSink, name: K, ...args: ClientEvents[K]): void {
  try {
    events.emit(name, ...args);
  } catch (err) {
    queueMicrotask(() => { throw err; });
  }
}

/** What events are emitted on: the client (an emitter whose listeners may be counted). */
export interface EventSink {
  emit(event: string, ...args: readonly unknown[]): boolean;
  listenerCount(event: string): number;
}

/** Where endpoint health reports state changes: the client turns them into events. */
export interface HealthListener {
  health(event: HealthEvent): void;
  panic(event: PanicEvent): void;
  /** A plugin threw outside any call (as an active check changed an endpoint's health): a `PluginError`. */
  pluginFailed(error: PluginError): void;
}
