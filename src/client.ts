import { EventEmitter } from 'eventemitter3';
import { Call, type CallCounters, type CallHost, type Transport } from './call.js';
import { isDiscovery, type Discovery } from './discovery/discovery.js';
import { StaticDiscovery } from './discovery/static.js';
import type { Endpoint, EndpointInit } from './endpoints/endpoint.js';
import { EndpointParseError, parseEndpoint } from './endpoints/parse.js';
import { ClientClosedError, ConfigError } from './errors.js';
import { emitSafely, type ClientEvents } from './observe/events.js';
import { resolveOptions, resolveTimeouts, type CallOptions, type ClientOptions, type ExecuteOptions, type ResolvedOptions } from './config/options.js';
import { peakEwma } from './pickers/peak-ewma.js';
import type { Picker } from './pickers/picker.js';
import { RetryBudget } from './pipeline/budget.js';
import { createBackoff } from './transports/classify.js';
import { EndpointRegistry } from './endpoints/registry.js';
import { ExecuteTransport, type AttemptFn } from './transports/execute.js';
import { FetchTransport, splitFetchArgs, type BulwarkRequestInit } from './transports/fetch.js';
import { stats, type ClientStats } from './observe/stats.js';

const DEFAULT_LATENCY_DECAY = 10_000;
/** Pickers hold per-client state; one used by two clients would balance neither well. */
const pickersInUse = new WeakSet<Picker>();

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

/** A client for one service. Create it with {@link createClient}. */
export class Client extends EventEmitter<ClientEvents> {
  /** The service name given to `createClient`. */
  readonly name: string;
  readonly #options: ResolvedOptions;
  readonly #host: CallHost;
  readonly #fetch: typeof globalThis.fetch | undefined;
  readonly #stop: () => void | Promise<void>;
  #closed: Promise<void> | undefined;
  #constructing = false;

  constructor(options: ClientOptions) {
    super();
    const resolved = resolveOptions(options);
    this.#options = resolved;
    this.name = resolved.name;
    const discovery = resolveDiscovery(resolved.name, options.discovery);
    const picker = options.picker ?? peakEwma();
    checkPicker(resolved.name, picker);
    this.#fetch = options.fetch;
    const now = (): number => performance.now();
    const registry = new EndpointRegistry(picker.latencyDecay ?? DEFAULT_LATENCY_DECAY, now, {
      changed: (event) => {
        picker.update(registry.list);
        this.#emitSoon('endpoints', event);
      },
      rejected: (event) => this.#emitSoon('endpointRejected', event),
      failed: (error) => this.#discoveryFailed(error),
    });
    const counters: CallCounters = { started: 0, succeeded: 0, failed: 0, attempts: 0, retries: 0, budgetExhausted: 0 };
    const { budget } = resolved;
    this.#host = {
      options: resolved,
      registry,
      picker,
      budget: budget === false ? undefined : new RetryBudget(budget.ratio, budget.minPerSecond, budget.window, now()),
      backoff: createBackoff(resolved.backoffBase, resolved.backoffCap),
      events: this,
      counters,
      active: new Set(),
      now,
      lastDiscoveryError: undefined,
    };
    pickersInUse.add(picker);
    // A static list arrives while the constructor runs: its events wait a microtask, so that
    // listeners added right after createClient() hear about the first set too.
    this.#constructing = true;
    this.#stop = startDiscovery(discovery, {
      update: (endpoints) => {
        if (this.#closed !== undefined) return;
        this.#host.lastDiscoveryError = undefined;
        registry.replace(endpoints);
      },
      error: (error) => this.#discoveryFailed(error),
    });
    this.#constructing = false;
  }

  /**
   * `fetch` against the service: the path and query of `input` go to the picked endpoint.
   * Resolves with the last Response whatever its status (after any retries); rejects only
   * when no response was obtained: network error, `TimeoutError`, `NoEndpointsError`, the
   * caller's abort reason, or `ClientClosedError`.
   *
   * @example
   * const res = await users.fetch('/v1/users', { method: 'POST', body: JSON.stringify(u), timeout: { total: 2_000 } });
   */
  fetch(input: string | URL | Request, init?: BulwarkRequestInit): Promise<Response> {
    try {
      const fetchImpl = this.#fetch ?? globalThis.fetch;
      const { path, init: requestInit, options } = splitFetchArgs(input, init);
      return this.#run(new FetchTransport(fetchImpl, path, requestInit, options.idempotent, options.signal ?? undefined), options);
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
      return this.#run(new ExecuteTransport(fn, options?.classify, options?.idempotent), options ?? {});
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * A plain-object snapshot: per-endpoint load, latency and outcomes, call and retry counters.
   *
   * @example
   * console.table(users.stats().endpoints);
   */
  stats(): ClientStats {
    return stats(this.#host, this.#closed !== undefined);
  }

  /**
   * The endpoints the client holds now, in discovery's order.
   *
   * @example
   * for (const e of users.endpoints()) console.log(e.id, e.zone);
   */
  endpoints(): readonly Endpoint[] {
    return this.#host.registry.list;
  }

  /**
   * Stops discovery and every timer, and ends every call still running with
   * `ClientClosedError` (the attempt in flight is aborted). Later calls reject with it too.
   * Safe to call twice.
   *
   * @example
   * process.on('SIGTERM', () => void users.close());
   */
  close(): Promise<void> {
    this.#closed ??= this.#shutdown();
    return this.#closed;
  }

  async #shutdown(): Promise<void> {
    const error = new ClientClosedError(this.name);
    for (const call of [...this.#host.active]) call.interrupt(error);
    try {
      await this.#stop();
    } finally {
      this.removeAllListeners();
    }
  }

  #discoveryFailed(error: unknown): void {
    if (this.#closed !== undefined) return;
    this.#host.lastDiscoveryError = error;
    this.#emitSoon('discoveryError', { error });
  }

  #emitSoon<K extends 'endpoints' | 'endpointRejected' | 'discoveryError'>(name: K, event: ClientEvents[K][0]): void {
    const emit = (): void => { emitSafely(this, name, ...([event] as ClientEvents[K])); };
    if (this.#constructing) queueMicrotask(emit); else emit();
  }

  #run<T>(transport: Transport<T>, options: CallOptions): Promise<T> {
    if (this.#closed !== undefined) return Promise.reject(new ClientClosedError(this.name));
    let attempt = this.#options.attemptTimeout;
    let total = this.#options.totalTimeout;
    if (options.timeout !== undefined) {
      ({ attempt, total } = resolveTimeouts(this.name, options.timeout, 'timeout', attempt, total));
    }
    const call = new Call<T>(this.#host, transport, options.signal ?? undefined, options.key, attempt, total);
    return call.run();
  }
}

/** Starts a discovery adapter; an adapter that throws on start counts as a failed refresh, not a crash. */
function startDiscovery(discovery: Discovery, sink: { update: (e: readonly EndpointInit[]) => void; error: (err: unknown) => void }): () => void | Promise<void> {
  try {
    const stop: unknown = discovery.watch(sink.update, sink.error);
    return typeof stop === 'function' ? (stop as () => void | Promise<void>) : noop;
  } catch (err) {
    sink.error(err);
    return noop;
  }
}

function noop(): void {}

function resolveDiscovery(name: string, discovery: unknown): Discovery {
  const list = Array.isArray(discovery) ? (discovery as readonly EndpointInit[]) : discovery instanceof StaticDiscovery ? discovery.endpoints : undefined;
  if (list !== undefined) {
    list.forEach((entry, i) => {
      try {
        parseEndpoint(entry);
      } catch (err) {
        if (err instanceof EndpointParseError) throw new ConfigError(name, `discovery[${i}]${err.field}`, err.expected, err.field === '' ? entry : err.value);
        throw err;
      }
    });
    return discovery instanceof StaticDiscovery ? discovery : new StaticDiscovery(list);
  }
  if (!isDiscovery(discovery)) throw new ConfigError(name, 'discovery', 'must be an array of endpoints or a Discovery ({ watch(update, error) })', discovery);
  return discovery;
}

function checkPicker(name: string, picker: unknown): asserts picker is Picker {
  const p = picker as Partial<Picker> | null;
  if (p === null || typeof p !== 'object' || typeof p.pick !== 'function' || typeof p.update !== 'function') {
    throw new ConfigError(name, 'picker', 'must be a Picker ({ name, update(endpoints), pick(request) })', picker);
  }
  if (pickersInUse.has(p as Picker)) {
    throw new ConfigError(name, 'picker', 'is already used by another client (create one picker per client)', p.name);
  }
  const decay = p.latencyDecay;
  if (decay !== undefined && !(typeof decay === 'number' && decay > 0 && Number.isFinite(decay))) {
    throw new ConfigError(name, 'picker.latencyDecay', 'must be a finite number of ms > 0', decay);
  }
}
