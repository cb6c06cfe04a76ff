import type { CallSettings } from './call/context.js';
import { CallEngine, type CallStages } from './call/engine.js';
import { callSettings, checkFetchInit, resolveCallOptions } from './config/call-options.js';
import type { KeySet } from './config/keys.js';
import { CALL_KEYS, GRPC_CALL_KEYS } from './config/option-keys.js';
import type { ClientOptions, ExecuteOptions } from './config/options.js';
import type { ResolvedOptions } from './config/resolved.js';
import { resolveClock, resolveOptions } from './config/resolve.js';
import { followConfig, type ConfigSource, type LiveOptions } from './config/live.js';
import { resolveDiscovery } from './discovery/start.js';
import { stopSources } from './discovery/stop-sources.js';
import type { Endpoint } from './endpoints/endpoint.js';
import { ClientClosedError, ConfigError, PluginError } from './errors.js';
import { EventObserver } from './observe/event-observer.js';
import { HeldEvents } from './observe/held-events.js';
import { emitSafely, type ClientEvents } from './observe/events.js';
import { ObservedEmitter } from './observe/observed-emitter.js';
import { stats, type ClientStats } from './observe/stats.js';
import { ExecuteTransport, type AttemptFn } from './transports/execute.js';
import { splitFetchArgs, type BulwarkRequestInit } from './transports/fetch-args.js';
import { FetchTransport } from './transports/fetch.js';
import { runAfterBody } from './transports/fetch-body-first.js';
import type { Transport } from './transports/transport.js';
import { seams, type TransportSetup } from './client-seams.js';
import { DiscoveryLink } from './client-discovery.js';
import { watchConnectErrors } from './transports/connect-errors.js';

/**
 * Creates a client for one service: it keeps the endpoint list current from `discovery`,
 * picks an endpoint per attempt, and retries on another under a budget and deadlines.
 * Options are validated here, once: a bad one throws `ConfigError` naming it.
 *
 * @example
 * const users = createClient({ name: 'users', discovery: ['http://10.0.0.1:8080', 'http://10.0.0.2:8080'] });
 * const res = await users.fetch('/v1/users/42');
 * const user = await res.json();
 */
export function createClient(options: ClientOptions): Client {
  return new Client(options);
}

/**
 * A client for one service. Create it with {@link createClient}.
 *
 * @example
 * const users: Client = createClient({ name: 'users', discovery: ['10.0.0.1:8080'] });
 */
export class Client extends ObservedEmitter<ClientEvents> {
  /** The service name given to `createClient`. */
  readonly name: string;
  readonly #engine: CallEngine;
  readonly #configWatches = new Set<() => Promise<void>>();
  readonly #eventObserver: EventObserver;
  /** Unplugs the event observer; set while someone listens to call events. */
  #unplugEvents: (() => void) | undefined;
  readonly #fetch: typeof globalThis.fetch | undefined;
  /** The transport of every `execute` call that passes no options. */
  readonly #execute: ExecuteTransport<unknown>;
  readonly #stop: () => void | Promise<void>;
  #closed: Promise<void> | undefined;
  /** Aborted by close(), with its ClientClosedError: what waits outside the pipeline (a Request's body being read) stops. */
  readonly #closing = new AbortController();
  /** While `reconfigure` applies a document: the events it causes, emitted once it is announced. */
  readonly #applying = new HeldEvents();
  readonly #removedHooks: Array<(removed: readonly Endpoint[]) => void> = [];

  /**
   * @example
   * const users = new Client({ name: 'users', discovery: ['10.0.0.1:8080'] }); // as createClient(…) makes it
   */
  constructor(options: ClientOptions) {
    super();
    const resolved = resolveOptions(options);
    watchConnectErrors();
    this.name = resolved.name;
    const clock = resolveClock(resolved.name, options.clock);
    const discovery = resolveDiscovery(resolved.name, options.discovery);
    // Called with a URL string and an init; what it resolves with is checked to be a Response (FetchTransport.judge).
    this.#fetch = options.fetch as typeof globalThis.fetch | undefined;
    this.#execute = new ExecuteTransport(resolved.name, undefined, undefined);
    const link = new DiscoveryLink(this, resolved.name, () => this.#closed !== undefined);
    const engine = new CallEngine(resolved, options, clock, {
      endpoints: (event, leftSubset) => {
        // An endpoint that left this client's subset takes no call of it either: its pool or channel goes as a removed one's does.
        const gone = leftSubset.length === 0 ? event.removed : [...event.removed, ...leftSubset];
        if (gone.length > 0) for (const hook of this.#removedHooks) hook(gone);
        link.emitSoon('endpoints', event);
      },
      rejected: (event) => link.emitSoon('endpointRejected', event),
      failed: (error) => link.failed(error),
      health: (event) => this.#applying.emit(() => emitSafely(this, 'health', event)),
      panic: (event) => this.#applying.emit(() => emitSafely(this, 'panic', event)),
      circuit: (event) => emitSafely(this, 'circuit', event),
      // Not a failed refresh: the set stays known, and no later NoEndpointsError names it as its cause.
      pluginFailed: (error) => link.reportOnly(error),
    });
    this.#engine = engine;
    this.#eventObserver = new EventObserver(this);
    this.#stop = link.start(discovery, engine);
  }

  /**
   * `fetch` against the service: the path and query of `input` go to the picked endpoint.
   * Resolves with the last Response whatever its status (after any retries); rejects only
   * when no response was obtained: `RequestFailedError` (network errors), `TimeoutError`,
   * `NoEndpointsError`, the caller's abort reason, or `ClientClosedError`; fetch's `TypeError`
   * as it is for a request it refuses (or a stream body whose own source failed); `PluginError`
   * for a `fetch` function of yours that answered no Response.
   *
   * @example
   * const res = await users.fetch('/v1/users', { method: 'POST', body: JSON.stringify(u), timeout: { total: 2_000 } });
   */
  fetch(input: string | URL | Request, init?: BulwarkRequestInit | null): Promise<Response> {
    try {
      checkFetchInit(this.name, init);
      const args = splitFetchArgs(input, init ?? undefined);
      const engine = this.#engine;
      const settings = callSettings(engine.options, { ...args.options, classify: args.classify }, engine.defaults);
      const transport = new FetchTransport({ service: this.name, fetch: this.#fetch ?? globalThis.fetch, statusCodes: engine.options.statusCodes }, args, settings.signal);
      // A call that would fail before any attempt (client closed, caller already aborted, circuit
      // open, no endpoint) fails at once, unread and counted as any other call is (closed or
      // aborted: not at all). A stream `init.body` no attempt sent is cancelled when the call
      // fails (FetchTransport.releasingBody), and so is a Request's when the call ends for the
      // caller's abort or close(), as fetch cancels it.
      const ended = this.#closed !== undefined || settings.signal?.aborted === true;
      if (!transport.hasBody || ended || engine.refusesNow()) return transport.releasingBody(this.#run(transport, settings), ended);
      // A Request's body is read before any attempt is timed: its time is the caller's, not an endpoint's.
      return runAfterBody(engine, transport, settings, this.name, this.#closing.signal);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Runs `fn(endpoint, { signal, attempt })` under the same pipeline as `fetch`: a returned
   * value is a success, a thrown error a failure that is retried on another endpoint (pass
   * `idempotent: false` to retry only errors that prove nothing was sent, or `classify`).
   *
   * @example
   * const row = await db.execute((endpoint, { signal }) => query(endpoint.host, endpoint.port, sql, { signal }));
   */
  execute<T>(fn: AttemptFn<T>, options?: ExecuteOptions<T>): Promise<T> {
    try {
      if (typeof fn !== 'function') throw new TypeError('client.execute: fn must be a function');
      // A call without options shares the client's transport; its fn travels as the call's input.
      const transport = options === undefined ? this.#execute : new ExecuteTransport(this.name, options?.classify, options?.idempotent);
      return this.#run(transport as ExecuteTransport<T>, this.#settings(options), fn);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * A plain-object snapshot: per-endpoint load, latency and outcomes, call, retry and hedge counters.
   *
   * @example
   * console.table(users.stats().endpoints);
   */
  stats(): ClientStats {
    const { host, accounting, budget, circuit } = this.#engine;
    const now = host.clock.now();
    // An idle client's ejections that are over show as over (probing), and its panic as ended.
    if (this.#closed === undefined) host.health?.catchUp(now);
    return stats({
      name: this.name, pickerName: host.picker.name, endpoints: host.registry.list, counters: accounting.counters,
      budget, now, maxEjectionTime: host.options.health?.maxEjectionTime ?? Infinity, closed: this.#closed !== undefined, panic: host.health?.panic ?? false,
      circuit: circuit === undefined ? null : { state: circuit.status, rejected: circuit.rejected },
    });
  }

  /**
   * The endpoints the client holds now, in discovery's order.
   *
   * @example
   * for (const e of users.endpoints()) console.log(e.id, e.zone);
   */
  endpoints(): readonly Endpoint[] {
    return this.#engine.host.registry.list;
  }

  /**
   * Stops discovery and every timer, and ends every call still running with
   * `ClientClosedError` (attempts in flight are aborted). Later calls reject with it too.
   * Safe to call twice; it never rejects (a failing discovery stop is reported as a
   * `discoveryError` event first).
   *
   * @example
   * process.on('SIGTERM', () => void users.close());
   */
  close(): Promise<void> {
    if (this.#closed === undefined) {
      // Closed before anything runs: ending the calls runs user code (abort listeners, events),
      // and a call or a second close() made from it must see the client closed.
      let done!: () => void;
      const closed = new Promise<void>((resolve) => { done = resolve; });
      this.#closed = closed;
      void this.#shutdown().then(done, done);
      return closed;
    }
    return this.#closed;
  }

  async #shutdown(): Promise<void> {
    // Calls in flight end first: a configuration source or a discovery that is slow to stop
    // must not keep them running (or retrying) after close().
    const error = new ClientClosedError(this.name);
    this.#closing.abort(error);
    this.#engine.stop(error);
    // A source's stop that fails is reported by followConfig (`configRejected`); a discovery's, here.
    await stopSources(this.name, this.#stop, [...this.#configWatches], (error) => emitSafely(this, 'discoveryError', { error }));
    this.removeAllListeners();
  }

  /**
   * Changes the client's policies while it runs: `document` (timeouts, retry, hedge, health
   * numbers; see {@link LiveOptions}) is laid over the options given to `createClient` and
   * validated as they were. Calls started from now on use it; calls in flight finish under the
   * configuration they started with. An invalid document throws `ConfigError` and changes
   * nothing. Emits `configChanged`. A picker whose `update` throws as the health numbers change
   * its candidates makes this throw `PluginError` after the document was applied (and announced).
   *
   * @example
   * users.reconfigure({ retry: false, hedge: false });   // stop retrying and hedging (an incident), …
   * users.reconfigure({});                 // … and back to createClient's options
   */
  reconfigure(document: LiveOptions): void {
    if (this.#closed !== undefined) throw new ClientClosedError(this.name);
    // The health and panic events the new numbers cause wait until the document is in force and
    // announced: a listener of theirs that reconfigures then starts from a consistent client.
    this.#applying.during(() => this.#engine.reconfigure(document), (failed, err) => {
      // Only a plugin fails once the document is in force (it was validated first): say it was applied.
      if (!failed || err instanceof PluginError) emitSafely(this, 'configChanged', { document });
    });
  }

  /**
   * Follows a configuration source: each document it delivers is applied with
   * {@link Client.reconfigure}. A document that fails validation, or a failing source, emits
   * `configRejected` and the last good configuration stays. Returns a stop function;
   * `close()` stops every source too.
   *
   * @example
   * import { etcdConfig } from 'bulwark/etcd';
   * const stop = users.watchConfig(etcdConfig({ client: etcd, key: 'config/users' }));
   */
  watchConfig(source: ConfigSource): () => Promise<void> {
    if (this.#closed !== undefined) throw new ClientClosedError(this.name);
    if (source === null || typeof source !== 'object' || typeof (source as { watch?: unknown }).watch !== 'function') {
      throw new ConfigError(this.name, 'watchConfig', 'needs a ConfigSource ({ watch(update, error) })', source);
    }
    // A source failing without a reason (a `.then(update, error)` on a read rejected with none)
    // still failed: listeners get an error to read, as discoveryError's do.
    const rejected = (reported: unknown): void => {
      const error = reported ?? new ConfigError(this.name, 'watchConfig', `source reported an error without a reason (error(${String(reported)}))`, reported);
      emitSafely(this, 'configRejected', { error });
    };
    return followConfig(source, (document) => {
      if (this.#closed === undefined) this.reconfigure(document as LiveOptions);
    }, rejected, this.#configWatches);
  }

  /** Plugs the event observer in only while someone listens to a call event. */
  protected override listenersChanged(): void {
    const host = this.#engine.host;
    const wanted = this.listenerCount('attempt') + this.listenerCount('retry') + this.listenerCount('hedge') + this.listenerCount('budgetExhausted') > 0;
    // Before endpoint health: an attempt's event comes before the health change it causes.
    if (wanted && this.#unplugEvents === undefined) this.#unplugEvents = host.observers.add(this.#eventObserver, host.health);
    else if (!wanted && this.#unplugEvents !== undefined) {
      this.#unplugEvents();
      this.#unplugEvents = undefined;
    }
  }

  static {
    seams.onEndpointsRemoved = (client, hook) => { client.#removedHooks.push(hook); };
    seams.useHttpCheck = (client, check) => { client.#engine.host.health?.checks?.useHttp(check); };
    seams.runTransport = <T>(client: Client, options: ExecuteOptions<T> | undefined, make: (setup: TransportSetup) => Transport<T>): Promise<T> => {
      try {
        const settings = client.#settings(options, GRPC_CALL_KEYS);
        return client.#run(make({ options: client.#engine.options, signal: settings.signal }), settings);
      } catch (err) {
        return Promise.reject(err);
      }
    };
  }

  /** One call's settings from `execute`-style options (validated; `ConfigError` names a bad one). */
  #settings<T>(options: ExecuteOptions<T> | undefined, keys: KeySet = CALL_KEYS): CallSettings {
    const engine = this.#engine;
    if (options === undefined) return engine.defaults;
    if (options === null || typeof options !== 'object') throw new ConfigError(this.name, 'options', 'must be an object', options);
    return resolveCallOptions(engine.options, options, engine.defaults, keys);
  }

  #run<T>(transport: Transport<T>, settings: CallSettings, input?: unknown, stages?: CallStages): Promise<T> {
    if (this.#closed !== undefined) return Promise.reject(new ClientClosedError(this.name));
    return this.#engine.run(transport, settings, input, stages);
  }
}
