// The machinery behind one Client (docs/architecture.md, "One call's path"): the endpoint
// registry and health tracker wired to the picker, the observers, the pipeline of stages, and
// starting a call. client.ts keeps the public API, events and the discovery lifecycle.
import type { ClientOptions } from '../config/options.js';
import type { ResolvedOptions } from '../config/resolved.js';
import { defaultCallSettings } from '../config/call-options.js';
import { DEFAULTS } from '../config/defaults.js';
import { keepGiven, layLiveOptions } from '../config/live.js';
import { resolveOptions } from '../config/resolve.js';
import type { LiveEndpoint } from '../endpoints/endpoint.js';
import { EndpointRegistry } from '../endpoints/registry.js';
import { leftSubset, markSubset, Subsetter } from '../health/subset.js';
import { HealthTracker } from '../health/tracker.js';
import { preferredPriority } from '../health/routing.js';
import { DiscoveryError } from '../errors.js';
import { Accounting } from '../observe/accounting.js';
import type { CircuitEvent, EndpointRejectedEvent, EndpointsEvent, HealthEvent, PanicEvent } from '../observe/events.js';
import { LatencyWindow } from '../observe/latency-window.js';
import { Observers } from '../observe/observer.js';
import { checkPicker, claimPicker, releasePicker, runsUserCode, updatePicker } from '../pickers/check.js';
import { peakEwma } from '../pickers/peak-ewma.js';
import { AttemptStage } from '../pipeline/attempt.js';
import { createBackoff } from '../pipeline/backoff.js';
import { budgetFor, sameBudgetSettings, type RetryBudget } from '../pipeline/budget.js';
import { Circuit, CircuitStage } from '../pipeline/circuit.js';
import { hedgeBudget, HedgeStage, isHedged } from '../pipeline/hedge.js';
import { RetryStage } from '../pipeline/retry.js';
import { compose, type Stage } from '../pipeline/stage.js';
import { WaitForEndpoints } from '../pipeline/wait-for-endpoints.js';
import type { Transport } from '../transports/transport.js';
import type { Clock } from './clock.js';
import { CallContext, type CallSettings } from './context.js';
import { DeadlineWheel } from './deadline-wheel.js';
import type { CallHost } from './host.js';
import { settlementOf } from './settle.js';

const DEFAULT_LATENCY_DECAY = 10_000;

/** The stages below the wait for endpoints, with and without the hedge stage, and the attempt limit they were built for. */
export interface CallStages {
  readonly hedged: Stage;
  readonly unhedged: Stage;
  readonly attempts: number;
}

/** What the engine reports to its client, which turns it into events. */
export interface EngineListener {
  /** The endpoint set changed; `leftSubset`: endpoints discovery keeps that left this client's subset. */
  endpoints(event: EndpointsEvent, leftSubset: readonly LiveEndpoint[]): void;
  rejected(event: EndpointRejectedEvent): void;
  /** A discovery update could not be applied (a hostile update): a failed refresh. */
  failed(error: unknown): void;
  health(event: HealthEvent): void;
  panic(event: PanicEvent): void;
  circuit(event: CircuitEvent): void;
  /** A plugin threw outside any call (a picker's `update` or a breaker factory, as an active health check changed an endpoint). */
  pluginFailed(error: unknown): void;
}

/**
 * One client's call machinery, built once from its options: `run` starts a call, `reconfigure`
 * swaps the policies for the calls that start afterwards.
 */
export class CallEngine {
  /** The resolved options new calls run under; replaced by `reconfigure`. */
  options: ResolvedOptions;
  /** Per-call settings of a call that passes no options. */
  defaults: CallSettings;
  readonly host: CallHost;
  readonly accounting: Accounting;
  readonly circuit: Circuit | undefined;
  /** The retry budget new calls draw on (`undefined`: retry budget off). */
  budget: RetryBudget | undefined;
  /** createClient's options (their live keys' plain objects copied), which live configuration is laid over. */
  readonly #given: ClientOptions;
  readonly #latencyWindow = new LatencyWindow();
  /** The hedge budget, kept across `reconfigure`. */
  readonly #hedgeBudget: { budget: RetryBudget | undefined } = { budget: undefined };
  readonly #waitStage: WaitForEndpoints;
  /** The stages new calls run through; replaced whole by `reconfigure`. */
  #stages!: CallStages;

  /** `resolved` and `clock` are `given`'s, already validated by the client. */
  constructor(resolved: ResolvedOptions, given: ClientOptions, clock: Clock, listener: EngineListener) {
    this.options = resolved;
    this.#given = keepGiven(given);
    const name = resolved.name;
    const picker = given.picker ?? peakEwma();
    checkPicker(name, picker);
    const now = (): number => clock.now();
    let health: HealthTracker | undefined;
    const subsetter = resolved.subset === undefined ? undefined : new Subsetter(resolved.subset);
    /** The endpoints this client uses: the registry's list, or its subset of it. */
    let pool: readonly LiveEndpoint[] = [];
    const registry = new EndpointRegistry(picker.latencyDecay ?? DEFAULT_LATENCY_DECAY, now, {
      changed: (event) => {
        const before = pool;
        if (subsetter !== undefined) {
          pool = subsetter.subset(registry.list);
          markSubset(registry.list, pool);
        } else {
          pool = registry.list;
        }
        // With health tracking the picker gets only the endpoints that take calls; without it,
        // every endpoint counts as healthy, so the most preferred priority takes every call (README,
        // "Priority and zone failover"). The set is in use either way: a picker whose update
        // throws (a PluginError, reported by the client) does not keep the change from being announced.
        try {
          if (health === undefined) updatePicker(name, picker, preferredPriority(pool));
          else health.endpointsChanged(pool);
        } finally {
          listener.endpoints(event, subsetter === undefined ? [] : leftSubset(before));
        }
      },
      rejected: (event) => listener.rejected(event),
      failed: (detail, cause) => listener.failed(new DiscoveryError(name, detail, cause === undefined ? undefined : { cause })),
    });
    this.accounting = new Accounting(this.#latencyWindow, resolved.health !== undefined, penaltyHoldOf(resolved));
    const observers = new Observers();
    if (resolved.circuit !== undefined) {
      this.circuit = new Circuit(resolved.circuit, (state, previous) => listener.circuit({ state, previous }), name, now);
      // First: a user's breaker that throws as a call ends fails the call, and the books then count it failed.
      observers.add(this.circuit);
    }
    observers.add(this.accounting);
    if (resolved.health !== undefined) {
      health = new HealthTracker(resolved.health, registry, picker, clock, { health: listener.health, panic: listener.panic, pluginFailed: listener.pluginFailed }, resolved.localZone, name);
      observers.add(health);
    }
    this.host = { options: resolved, registry, picker, userPicker: runsUserCode(picker), clock, wheel: new DeadlineWheel(clock), observers, health, lastDiscoveryError: undefined, lastCallId: 0, stopped: undefined };
    this.budget = budgetFor(resolved.budget, now());
    this.#waitStage = new WaitForEndpoints(this.host, this.#hedgeBudget);
    this.#compose(resolved);
    this.defaults = defaultCallSettings(resolved);
    registry.onKnown(() => this.#waitStage.known());
    claimPicker(picker);
  }

  /**
   * The stages (and attempt limit) new calls run under now: a call that starts later but must
   * keep the configuration of when it was made (a `fetch` reading its Request's body first)
   * passes them to `run`.
   */
  get stages(): CallStages {
    return this.#stages;
  }

  /** Starts one call through the whole pipeline; the promise settles when the call ends. */
  run<T>(transport: Transport<T>, settings: CallSettings, input?: unknown, stages: CallStages = this.#stages): Promise<T> {
    const signal = settings.signal;
    if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
    const host = this.host;
    const ctx = new CallContext<T>(host, transport, settings, host.clock.now(), input, stages.attempts);
    const promise = settlementOf(ctx);
    host.observers.callStarted(ctx);
    // Once a first set is known the wait stage has nothing to do: start below it (its `done`
    // passes results straight up). A call that is not hedged skips the hedge stage too.
    if (!host.registry.known) {
      this.#waitStage.enter(ctx, stages.hedged);
      return promise;
    }
    // Every call of the client counts in the hedge budget once hedging was configured, hedged or
    // not (here, not in the retry stage: that one must stay small enough for V8 to inline). The
    // wait stage counts a call that waited once it goes on; the circuit takes back one it refuses.
    const hedges = this.#hedgeBudget.budget;
    if (hedges !== undefined) hedges.recordCall(ctx.now);
    if (isHedged(ctx)) stages.hedged.run(ctx);
    else stages.unhedged.run(ctx);
    return promise;
  }

  /**
   * Counts a call that begins before the pipeline can start it (a `fetch` reading its Request's
   * body first) as started now, so `stats().calls` shows it in flight. It ends in one of two
   * ways: `failed()` before it runs (the read failed, timed out or was ended by `close()`), or
   * `run()`, which starts it through the pipeline, where it is counted from then on (`run`
   * itself stays as every other call takes it).
   *
   * @example
   * const early = engine.countEarly();
   * readBody().then((ready) => early.run(transport, ready, stages), (err) => { early.failed(); throw err; });
   */
  countEarly(): { failed(): void; run<T>(transport: Transport<T>, settings: CallSettings, stages: CallStages): Promise<T> } {
    const counters = this.accounting.counters;
    counters.started++;
    return {
      failed: () => {
        counters.failed++;
      },
      run: <T>(transport: Transport<T>, settings: CallSettings, stages: CallStages): Promise<T> => {
        if (settings.signal !== undefined && settings.signal.aborted) {
          counters.failed++;
          return Promise.reject(settings.signal.reason);
        }
        // `run` counts it as started again, synchronously: nothing sees the count in between.
        counters.started--;
        return this.run(transport, settings, undefined, stages);
      },
    };
  }

  /**
   * Whether a call started now would end before any attempt: its circuit refuses it, or there is
   * no endpoint to try (an empty set, or discovery failed before any set and calls do not wait).
   * A `fetch` then skips reading its Request's body, and fails at once as any other call does.
   */
  refusesNow(): boolean {
    const host = this.host;
    if (this.circuit !== undefined && this.circuit.refusesAt(host.clock.now())) return true;
    if (!host.registry.known) return host.lastDiscoveryError !== undefined && !host.options.waitForEndpoints;
    return host.registry.list.length === 0;
  }

  /**
   * Lays `document` over createClient's options, validates the result as createClient does
   * (throwing `ConfigError`, changing nothing), then swaps what new calls use
   * (docs/architecture.md, "Live configuration").
   */
  reconfigure(document: unknown): void {
    const resolved = resolveOptions(layLiveOptions(this.#given, document));
    const host = this.host;
    if (!sameBudgetSettings(this.options.budget, resolved.budget)) this.budget = budgetFor(resolved.budget, host.clock.now());
    this.options = resolved;
    host.options = resolved;
    this.defaults = defaultCallSettings(resolved);
    this.#compose(resolved);
    // Before health's reconfigure, which may throw (a picker's update) with the document applied.
    const hold = penaltyHoldOf(resolved);
    if (hold !== this.accounting.penaltyHold) {
      this.accounting.penaltyHold = hold;
      const now = host.clock.now();
      for (const e of host.registry.list) e.latency.retimeHold(hold, now);
    }
    if (resolved.health !== undefined) host.health?.reconfigure(resolved.health);
  }

  /** A discovery refresh failed: calls waiting for a first set fail fast (unless `waitForEndpoints`). */
  discoveryFailed(error: unknown): void {
    this.host.lastDiscoveryError = error;
    if (!this.host.registry.known) this.#waitStage.failed(error);
  }

  /**
   * Stops health checks and ends every call still running with `error`, the one the wheel is
   * waking included; a call a listener or plugin reaches during this starts no attempt after it
   * (`host.stopped`, checked by the attempt stage). Then the wheel's timer is cleared for good.
   */
  stop(error: Error): void {
    const host = this.host;
    host.stopped = error;
    host.health?.checks?.stop();
    for (const call of host.wheel.entries()) (call as CallContext<unknown>).closeWith(error);
    host.wheel.close();
    // The picker holds this client's endpoints until a new client's first update replaces them.
    releasePicker(host.picker);
  }

  /**
   * Builds the stages below the wait for endpoints from `resolved`, in the documented order
   * (docs/architecture.md, "Stages"): wait for endpoints → circuit → retry → hedge → attempt.
   * A stage configured off is not in the pipeline at all. Called again by `reconfigure`: calls
   * in flight keep the stages they started in, which still report up to the same outer stages.
   */
  #compose(resolved: ResolvedOptions): void {
    if (resolved.hedge !== undefined) hedgeBudget(this.#hedgeBudget, resolved.hedge.maxExtraLoad, this.host.clock.now());
    const backoff = createBackoff(resolved.backoffBase, resolved.backoffCap);
    // Stages keep no per-call state, so two sets of them, sharing the budget, backoff and
    // circuit, behave as one: a call that is not hedged runs through the set without the hedge
    // stage, which would only pass it through (two call levels less per attempt).
    const below = (hedged: boolean): Stage[] => [
      ...(this.circuit === undefined ? [] : [new CircuitStage(this.circuit, this.#hedgeBudget)]),
      new RetryStage(this.budget, backoff),
      ...(hedged ? [new HedgeStage(this.#latencyWindow, this.#hedgeBudget)] : []),
      new AttemptStage(),
    ];
    const hedged = compose(below(true));
    // The wait stage is the outermost of both sets: results of either pass it on the way up.
    compose([this.#waitStage, hedged]);
    this.#stages = { hedged, unhedged: compose(below(false)), attempts: resolved.attempts };
  }
}

/** How long a fast failure's latency penalty holds: as long as an ejection, with health tracking off too (see Accounting.penaltyHold). */
function penaltyHoldOf(resolved: ResolvedOptions): number {
  return resolved.health?.ejectionTime ?? DEFAULTS.ejectionTime;
}
