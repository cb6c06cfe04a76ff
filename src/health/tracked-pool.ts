import type { IBreaker } from 'cockatiel';
import type { LiveEndpoint } from '../endpoints/endpoint.js';
import type { PluginError } from '../errors.js';
import type { ActiveChecks } from './checks.js';
import { EndpointHealth } from './endpoint-health.js';
import type { PickShares } from './pick-shares.js';
import { PluginRetry } from './plugin-retry.js';
import { forgetLeft } from './subset.js';

/**
 * The endpoints a client's health tracking judges (all of its endpoints, or its subset), each
 * given its own {@link EndpointHealth} as it joins. A `health.breaker` factory that throws for
 * one leaves that one without health, so it takes no calls (README, `stats()`), while the rest
 * of the change applies; the factory is asked again later ({@link PluginRetry}: 1 s, doubling to 30 s).
 *
 * @example
 * const pool = new TrackedPool(() => new ConsecutiveBreaker(5), checks, shares);
 * const refused = pool.replace(endpoints, clock.now(), false); // a PluginError to report, or undefined
 */
export class TrackedPool {
  /** Every endpoint of the pool, with or without health. */
  endpoints: readonly LiveEndpoint[] = [];
  /** When the factory is next asked for the breakers it refused; Infinity while every endpoint has its health. */
  get remakeAt(): number {
    return this.#retry.at;
  }
  readonly #retry = new PluginRetry();
  /** The endpoints the factory refused when it was last asked (a new refusal starts the schedule over). */
  #waiting: ReadonlySet<LiveEndpoint> = new Set();
  #firstSetSeen = false;
  readonly #newBreaker: () => IBreaker;
  readonly #checks: ActiveChecks | undefined;
  readonly #shares: PickShares;

  /** `newBreaker` throws a `PluginError` when the user's factory fails (see `makeBreaker`). */
  constructor(newBreaker: () => IBreaker, checks: ActiveChecks | undefined, shares: PickShares) {
    this.#newBreaker = newBreaker;
    this.#checks = checks;
    this.#shares = shares;
  }

  /**
   * The endpoints that have their health: the set health works with (candidates, panic,
   * failover shares, the max-ejection guard). One whose breaker was refused is left out of it,
   * as if discovery had not listed it yet. The pool itself while none lacks its health.
   */
  get judged(): readonly LiveEndpoint[] {
    return this.#retry.at === Infinity ? this.endpoints : this.endpoints.filter((e) => e.health !== undefined);
  }

  /**
   * Takes `endpoints` as the pool (`subset`: this client's subset of the registry's list) and
   * gives the new ones their health; the ones that left take their ramps and checks with them
   * (and, with subsetting, their health: discovery keeps them, but they are no longer this
   * client's to judge). Returns the factory's first error, if it threw.
   */
  replace(endpoints: readonly LiveEndpoint[], now: number, subset: boolean): PluginError | undefined {
    if (subset) forgetLeft(this.endpoints);
    this.endpoints = endpoints;
    const refused = this.makeHealth(now);
    this.#firstSetSeen ||= endpoints.length > 0;
    this.#shares.recount(endpoints);
    this.#checks?.sync(endpoints);
    return refused;
  }

  /** Asks the factory again for the breakers it refused once `remakeAt` is reached; whether it did. Its error, if it throws again, goes to `refused`. */
  remakeIfDue(now: number, refused: (error: PluginError) => void): boolean {
    if (now < this.remakeAt) return false;
    const error = this.makeHealth(now);
    if (error !== undefined) refused(error);
    return true;
  }

  /**
   * Gives each endpoint without health its own: a new one starts healthy, one that joins after
   * the first set ramps up (slow start). Returns the factory's first error, if it threw for any:
   * those stay without health until the factory is asked again, at `remakeAt`.
   */
  makeHealth(now: number): PluginError | undefined {
    let refused: PluginError | undefined;
    const waiting = new Set<LiveEndpoint>();
    let fresh = false;
    for (const e of this.endpoints) {
      if (e.health !== undefined) continue;
      let breaker: IBreaker;
      try {
        breaker = this.#newBreaker();
      } catch (err) {
        refused ??= err as PluginError;
        waiting.add(e);
        fresh ||= !this.#waiting.has(e);
        continue;
      }
      e.health = new EndpointHealth(breaker, now);
      // With checks on, real calls still probe an endpoint no check applies to (another scheme than the HTTP check's).
      e.health.checked = this.#checks !== undefined && this.#checks.judges(e);
      if (this.#firstSetSeen) this.#shares.startRamp(e.health, now);
    }
    // An endpoint refused for the first time is asked again after the first delay, whatever the
    // others' refusals had doubled it to.
    if (refused === undefined || fresh) this.#retry.succeeded();
    if (refused !== undefined) this.#retry.refused(now);
    this.#waiting = waiting;
    return refused;
  }
}
