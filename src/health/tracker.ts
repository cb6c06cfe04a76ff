import { CircuitState, type IBreaker } from 'cockatiel';
import type { Clock } from '../call/clock.js';
import type { ResolvedHealth } from '../config/resolved.js';
import type { LiveEndpoint } from '../endpoints/endpoint.js';
import type { EndpointRegistry } from '../endpoints/registry.js';
import type { HealthListener } from '../observe/events.js';
import type { AnyAttempt, AnyResult, CallObserver } from '../observe/observer.js';
import type { Picker } from '../pickers/picker.js';
import { ActiveChecks, countCheck } from './checks.js';
import { detectOutliers } from './outliers.js';
import { otherFreeAt } from './candidates.js';
import { CandidateFeed } from './candidate-feed.js';
import { PickShares } from './pick-shares.js';
import { TrackedPool } from './tracked-pool.js';
import { outsideCall } from './plugin-retry.js';
import type { EndpointHealth, HealthStatus } from './endpoint-health.js';
import { atEjectionLimit, ejectUntilChecksPass, endExpired, nextEnd, retimeEjections, startEjection } from './ejection.js';
import { makeBreaker } from './guarded-breaker.js';
import { judgeOutcome, type Judged } from './outcome.js';

/**
 * Passive endpoint health between the registry and the picker (docs/architecture.md, "Endpoint
 * health"). As an observer it feeds each attempt's outcome to its endpoint's breaker; when the
 * breaker opens, the endpoint is ejected — the picker is given the candidates without it — for
 * 30 s × times ejected (at most 300 s), then it is probed by real calls and re-admitted on a
 * success. Guards keep health tracking from making an outage worse: at most
 * `maxEjectionPercent` of endpoints (at least one) are ejected at once, and below
 * `panicThreshold` % of endpoints taking calls, calls go to all of them.
 *
 * Healthy is free on the hot path: the attempt stage compares the clock with `nextChangeAt`
 * (Infinity while nothing is ejected) and calls {@link refresh} only when an ejection is over.
 */
export class HealthTracker implements CallObserver {
  /**
   * When the next ejection or Retry-After pause ends (or outlier detection runs, or a plugin
   * that threw is asked again), on the client's clock; Infinity when there is none.
   */
  nextChangeAt: number = Infinity;
  #options: ResolvedHealth;
  readonly #registry: EndpointRegistry;
  readonly #clock: Clock;
  readonly #listener: HealthListener;
  /** Gives the picker the endpoints that take calls, and keeps the panic state. */
  readonly #feed: CandidateFeed;
  /** The active checks, when configured: the client stops them on close, and `bulwark/undici` sends the default check through its pools. */
  readonly checks: ActiveChecks | undefined;
  /** Slow start and priority/zone failover's say on picks; the attempt stage asks it while `shares.adjusting`. */
  readonly shares: PickShares;
  /** The endpoints this client uses (all of them, or its subset: `subset` option), each with its health. */
  readonly #tracked: TrackedPool;
  /** No outlier detection and no `isFailure` rule: a success needs nothing but the breaker. */
  readonly #plain: boolean;
  /** When outlier detection next compares endpoints; Infinity when it is off. */
  #outliersAt = Infinity;
  /** The client's name, for the errors of misbehaving plugins. */
  readonly #service: string;

  /** Whether calls go to every endpoint because too few are healthy. */
  get panic(): boolean {
    return this.#feed.panic;
  }

  constructor(
    options: ResolvedHealth, registry: EndpointRegistry, picker: Picker, clock: Clock, listener: HealthListener,
    localZone: string | undefined, service: string,
  ) {
    this.#service = service;
    this.#plain = options.outliers === undefined && options.isFailure === undefined;
    this.#options = options;
    this.#registry = registry;
    this.#clock = clock;
    this.#listener = listener;
    this.shares = new PickShares(picker, options.slowStart);
    this.#feed = new CandidateFeed(picker, service, this.shares, { localZone, overprovisioning: options.overprovisioning }, (event) => listener.panic(event));
    this.checks = options.checks === undefined ? undefined : new ActiveChecks(options.checks, (e, passed, reason) => this.#checked(e, passed, reason));
    this.#tracked = new TrackedPool(() => this.#newBreaker(), this.checks, this.shares);
    // One breaker made now, so that a factory that throws fails createClient rather than the
    // first endpoint set (which would leave the client without endpoints).
    this.#newBreaker();
  }

  /**
   * Takes the live health numbers of `options` (`client.reconfigure`): ejection times, the
   * max-ejection and panic thresholds, probes. They apply at once: ejections in progress last
   * what the new times give them (one over by now ends on the next call or `stats()`), and the
   * candidates are recomputed under the new thresholds.
   */
  reconfigure(options: ResolvedHealth): void {
    // Ejections that ended under the numbers in force end first (nothing looked since): new
    // times apply to ejections in progress, not to ones already over.
    this.catchUp(this.#clock.now());
    const { ejectionTime, maxEjectionTime, maxEjectionPercent, panicThreshold, probes } = options;
    this.#options = { ...this.#options, ejectionTime, maxEjectionTime, maxEjectionPercent, panicThreshold, probes };
    this.nextChangeAt = retimeEjections(this.#tracked.endpoints, this.#options, this.#timersAt());
    this.#recompute(false);
  }

  /**
   * The endpoint set changed, and `pool` is what this client now uses of it (the registry's list,
   * or this client's subset of it): new endpoints start healthy, and the picker gets the new candidates.
   */
  endpointsChanged(pool: readonly LiveEndpoint[]): void {
    const now = this.#clock.now();
    // A factory that throws for one endpoint leaves that one without health (it takes no calls,
    // and is asked for again in a while); the rest of the change still applies.
    const refused = this.#tracked.replace(pool, now, pool !== this.#registry.list);
    const outliers = this.#options.outliers;
    if (outliers !== undefined && this.#outliersAt === Infinity) this.#outliersAt = now + outliers.interval;
    // Ejections and Retry-After pauses in progress keep their end (endpoints that stay keep their state).
    this.nextChangeAt = nextEnd(this.#tracked.endpoints, this.#timersAt());
    try {
      this.#recompute(true);
    } catch (err) {
      // The picker's throw is what the caller reports: the factory's is reported here, not lost.
      if (refused !== undefined) this.#listener.pluginFailed(refused);
      throw err;
    }
    if (refused !== undefined) throw refused;
  }

  /** The earliest of the tracker's own timers: the next outlier detection, asking the breaker factory again, giving a stale picker its candidates again. */
  #timersAt(): number {
    return Math.min(this.#outliersAt, this.#tracked.remakeAt, this.#feed.retry.at);
  }

  /** An active check's result (see `countCheck`), taken outside any call. */
  #checked(e: LiveEndpoint, passed: boolean, reason: string): void {
    const h = e.health;
    if (h === undefined || e.retired) return;
    const now = this.#clock.now();
    // Counted even when the refresh before it fails (a picker's `update` that throws): the
    // check's own ejection or re-admission may be what the picker needs.
    if (now >= this.nextChangeAt) this.#outsideCall(() => this.refresh(now));
    if (h !== e.health || e.retired) return;
    this.#outsideCall(() => {
      const action = countCheck(h, passed, this.#options.checks!);
      if (action === 'readmit') this.#readmit(e, h, now, 'health check passed');
      else if (action === 'eject') this.#eject(e, h, now, `health check failed (${reason})`, true);
    });
  }

  /** Runs a change of health that no call made (see {@link outsideCall}): a plugin's throw is reported to the listener. */
  #outsideCall(change: () => void): void {
    outsideCall(change, (error) => this.#listener.pluginFailed(error));
  }

  /** A breaker from the `health.breaker` factory; a throw from one of the user's fails the call it judges. */
  #newBreaker(): IBreaker {
    return makeBreaker(this.#options.breaker, this.#service, 'health.breaker');
  }

  /**
   * Ejections and Retry-After pauses whose time is over end; called by the attempt stage once
   * `nextChangeAt` is reached.
   */
  refresh(now: number): void {
    if (now >= this.#outliersAt) {
      // Judged as of the interval's end (Envoy compares then, on a timer; here the first call
      // after it does): an ejection from counts of an interval long over starts, and has
      // usually ended, back then, rather than taking an endpoint out now on stale counts.
      this.#detectOutliers(this.#outliersAt, now);
      this.#outliersAt = now + this.#options.outliers!.interval;
    }
    // Breakers the factory refused are asked for again; it throwing again is reported (the
    // client's `discoveryError`), not a failure of the call that happened to look.
    const made = this.#tracked.remakeIfDue(now, (error) => this.#listener.pluginFailed(error));
    const { next, changed } = endExpired(this.#tracked.endpoints, now, this.#timersAt(), (e, h) => {
      h.probes = 0;
      this.#set(e, h, 'probing', 'ejection over', undefined);
    });
    // A `health` listener of an ejection that ended may have reconfigured, retiming the others:
    // then what is next comes from their times now, not from the walk's.
    this.nextChangeAt = changed ? nextEnd(this.#tracked.endpoints, this.#timersAt()) : next;
    // An ejection's end the picker refuses fails the call that made it look (README). A re-ask
    // (breakers the factory gave now, or a stale picker given its candidates again) is the
    // tracker's own background work: a throw then is reported, fails no call, and is asked again later.
    if (changed) this.#recompute(false);
    else if (made || (this.#feed.stale && now >= this.#feed.retry.at)) {
      this.#outsideCall(() => this.#recompute(false));
      this.nextChangeAt = nextEnd(this.#tracked.endpoints, this.#timersAt());
    }
  }

  /**
   * A probe started on `endpoint` (an attempt on a probing endpoint): called by the attempt
   * stage rather than as an observer hook, so healthy calls do not pay for it.
   */
  probeStarted(endpoint: LiveEndpoint): void {
    const h = endpoint.health;
    // One the checks judge is not probed by real calls (they reach it only in panic).
    if (h === undefined || h.status !== 'probing' || h.checked) return;
    h.probes++;
    if (h.probes < this.#options.probes) return;
    try {
      this.#recompute(false);
    } catch (err) {
      // The call fails and starts no probe (the picker's update threw): give its slot back.
      h.probes--;
      throw err;
    }
  }

  attemptEnded(attempt: AnyAttempt, result: AnyResult): void {
    const e = attempt.endpoint;
    const h = e.health;
    if (h === undefined || e.retired) return;
    // The common case, kept short (and V8 then inlines it): a healthy endpoint answered well and nothing else is tracked.
    if (result.verdict === 'success' && h.status === 'healthy' && result.retryAfter === undefined && this.#plain) h.breaker.success(CircuitState.Closed);
    else this.#judge(e, h, attempt, result);
  }

  #judge(e: LiveEndpoint, h: EndpointHealth, attempt: AnyAttempt, result: AnyResult): void {
    let judged: Judged;
    try {
      judged = judgeOutcome(e, h, attempt, result, this.#options, this.#service);
    } catch (err) {
      this.#unjudged(h, attempt);
      throw err;
    }
    if (judged.kind === 'unjudged') return this.#unjudged(h, attempt);
    if (judged.avoidUntil !== undefined) this.#avoid(h, judged.avoidUntil);
    if (judged.transition === 'eject') this.#eject(e, h, judged.at, judged.reason);
    else if (judged.transition === 'readmit') this.#readmit(e, h, judged.at, judged.reason);
  }

  /** An attempt that says nothing about its endpoint: only a probe gives its slot back (one started before the ejection ended is none). */
  #unjudged(h: EndpointHealth, attempt: AnyAttempt): void {
    if (h.status === 'probing' && attempt.startedAt >= h.until && h.probes > 0 && h.probes-- === this.#options.probes) this.#recompute(false);
  }

  /** Compares the endpoints as of `at` (the interval's end), at `now`: an ejection starts at `at`, and its event reports what is left of it at `now`. */
  #detectOutliers(at: number, now: number): void {
    detectOutliers(this.#tracked.endpoints, this.#options.outliers!, (e, h, reason) => {
      if (h.status === 'healthy') this.#eject(e, h, at, reason, false, now);
    });
  }

  /** Whether no endpoint takes calls now: the picker has no candidate (`panicThreshold: 0`, every endpoint ejected). */
  get noCandidates(): boolean {
    return this.#feed.empty;
  }

  /** When a call can next go elsewhere than `endpoint` (see `otherFreeAt`). */
  otherFreeAt(endpoint: LiveEndpoint, now: number): number {
    return otherFreeAt(this.#tracked.judged, endpoint, now, this.#options.probes, this.#feed.panicScope);
  }

  /**
   * Ends the ejections and pauses whose time is over (what the next attempt would do first), for
   * a `stats()` of a client that makes no calls; a plugin that throws on the way is reported.
   */
  catchUp(now: number): void {
    if (now >= this.nextChangeAt) this.#outsideCall(() => this.refresh(now));
  }

  /** The endpoint asked (Retry-After, bounded by `DEFAULTS.maxPause`) not to be called until `until`: it leaves the candidates till then. */
  #avoid(h: EndpointHealth, until: number): void {
    if (until <= h.avoidUntil) return;
    h.avoidUntil = until;
    if (until < this.nextChangeAt) this.nextChangeAt = until;
    this.#recompute(false);
  }

  /** Back in rotation: a fresh breaker, a new stable period, and (with slow start) a ramp. */
  #readmit(e: LiveEndpoint, h: EndpointHealth, now: number, reason: string): void {
    try {
      h.breaker = this.#newBreaker();
    } catch (err) {
      // The user's breaker factory threw: the endpoint stays where it was, and a probe's slot,
      // given back already, must reach the picker again, or the endpoint would be probed never.
      this.#recompute(false);
      throw err;
    }
    h.healthySince = now;
    this.shares.startRamp(h, now);
    this.#set(e, h, 'healthy', reason, undefined);
    this.#recompute(false);
  }

  /**
   * Ejects `e` as of `now` unless the max-ejection guard keeps it in; `byChecks`: active checks
   * ejected it (passing them brings it back at once); `current`: the clock now, when the
   * ejection starts in the past (outlier detection's, as of its interval's end). As in Envoy, where `max_ejection_percent` limits
   * outlier detection only, the guard limits what real calls judge (breakers, outlier
   * detection): an endpoint that fails its checks goes whatever the others' state, and panic
   * still guards against ejecting too many.
   */
  #eject(e: LiveEndpoint, h: EndpointHealth, now: number, reason: string, byChecks = false, current = now): void {
    if (!byChecks && h.status !== 'ejected' && atEjectionLimit(this.#tracked.judged, this.#options.maxEjectionPercent)) {
      // At the max-ejection guard: it stays in, and its breaker starts over. A probing one whose
      // probe failed comes back in, as Envoy's host, back in rotation once its ejection is over,
      // is judged against the limit like any other.
      if (h.status === 'probing') this.#readmit(e, h, now, `${reason}; kept in at the max-ejection limit`);
      else h.breaker = this.#newBreaker();
      return;
    }
    // Failed checks keep it out until its checks pass (Envoy: until `healthy_threshold`), not for
    // a time that would end, re-eject and count it again at every ejection time.
    const duration = byChecks ? ejectUntilChecksPass(h, now, this.#options.maxEjectionTime) : startEjection(h, now, this.#options);
    h.ejectedByChecks = byChecks;
    if (h.until < this.nextChangeAt) this.nextChangeAt = h.until;
    // The event says how long until probing starts from `current`: less than the duration for
    // an ejection that started in the past (outlier detection's, as of its interval's end).
    this.#set(e, h, 'ejected', reason, duration === undefined || current === now ? duration : Math.max(0, h.until - current));
    this.#recompute(false);
  }

  #set(e: LiveEndpoint, h: EndpointHealth, status: HealthStatus, reason: string, ejectedFor: number | undefined): void {
    const previous = h.status;
    h.status = status;
    this.#listener.health({ endpoint: e, status, previous, reason, ejections: h.ejections, ejectedFor });
  }

  /**
   * Gives the picker the endpoints that take calls now, if they changed (see {@link CandidateFeed}):
   * not those still without health (their breaker refused). A picker whose `update` throws keeps
   * what it had; a refresh (a call, or `stats()`) gives it the candidates again a second later
   * (doubling to 30 s while it keeps throwing), so an endpoint whose ejection ended meanwhile is
   * still probed once the picker works.
   */
  #recompute(force: boolean): void {
    try {
      this.#feed.publish(this.#tracked.judged, this.#options, force, this.#clock.now());
    } finally {
      if (this.#feed.retry.at < this.nextChangeAt) this.nextChangeAt = this.#feed.retry.at;
    }
  }
}
