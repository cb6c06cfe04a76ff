import type { LiveEndpoint } from '../endpoints/endpoint.js';
import type { PanicEvent } from '../observe/events.js';
import { updatePicker } from '../pickers/check.js';
import type { Picker } from '../pickers/picker.js';
import { admittedCandidates, sameEndpoints } from './candidates.js';
import type { PickShares } from './pick-shares.js';
import { PluginRetry } from './plugin-retry.js';
import type { RoutingOptions } from './routing.js';

/**
 * What the health tracker gives the picker (docs/architecture.md, "Endpoint health"): the
 * endpoints that take calls now, recomputed after every change of health, and the panic state
 * that decides them. The picker is updated only when the candidates changed (or `force`), and
 * a change of panic is announced once the picker has them.
 *
 * @example
 * const feed = new CandidateFeed(picker, 'users', shares, { localZone: undefined, overprovisioning: 1.4 }, (e) => emit('panic', e));
 * feed.publish(pool, { probes: 1, panicThreshold: 50 }, true, clock.now());
 */
export class CandidateFeed {
  /** Whether calls go to ejected endpoints because too few are healthy (of every priority, or of some: see {@link panicScope}). */
  panic = false;
  /** Whether the picker was last given no endpoint at all (`panicThreshold: 0` with every endpoint ejected, or none known). */
  get empty(): boolean {
    return this.#candidates.length === 0;
  }
  /** For the Retry-After wait (`otherFreeAt`): `true` in total panic, the priorities spread in per-priority panic, `false` without. */
  panicScope: boolean | ReadonlySet<number> = false;
  /** The picker's last update threw: it holds stale candidates, and the next `publish` gives it the current ones whatever they are. */
  stale = false;
  /** When the tracker gives a stale picker its candidates again (after 1 s, doubling to 30 s while it keeps throwing). */
  readonly retry: PluginRetry = new PluginRetry();
  #candidates: readonly LiveEndpoint[] = [];
  readonly #picker: Picker;
  readonly #service: string;
  readonly #shares: PickShares;
  readonly #routing: RoutingOptions;
  readonly #announce: (event: PanicEvent) => void;

  constructor(picker: Picker, service: string, shares: PickShares, routing: RoutingOptions, announce: (event: PanicEvent) => void) {
    this.#picker = picker;
    this.#service = service;
    this.#shares = shares;
    this.#routing = routing;
    this.#announce = announce;
  }

  /**
   * Gives the picker the endpoints of `pool` that take calls under `options`, if they changed
   * (always with `force`, or after an update that threw). A picker whose `update` throws throws a
   * `PluginError` from here, and is left `stale`, to be given the candidates again at `retry.at`
   * (`at` is the clock now).
   */
  publish(pool: readonly LiveEndpoint[], options: { readonly probes: number; readonly panicThreshold: number }, force: boolean, at: number): void {
    const now = admittedCandidates(pool, { probes: options.probes, panicThreshold: options.panicThreshold, routing: this.#routing });
    const panicChanged = now.panic !== this.panic;
    this.panic = now.panic;
    this.panicScope = !now.panic ? false : now.panicking ?? true;
    this.#shares.setLevels(now.levels, force);
    try {
      if (force || this.stale || !sameEndpoints(now.candidates, this.#candidates)) {
        this.stale = true;
        try {
          updatePicker(this.#service, this.#picker, now.candidates);
        } catch (err) {
          this.retry.refused(at);
          throw err;
        }
        this.#candidates = now.candidates;
        this.stale = false;
        this.retry.succeeded();
      }
    } finally {
      // Announced last, once the picker has the candidates (or its update threw): a `panic`
      // listener that reconfigures (or changes health otherwise) starts from a consistent
      // tracker, and what it changes stands.
      if (panicChanged) this.#announce({ active: now.panic, healthy: now.taking, total: pool.length });
    }
  }
}
