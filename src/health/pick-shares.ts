import type { LiveEndpoint } from '../endpoints/endpoint.js';
import type { Picker } from '../pickers/picker.js';
import { fastRandom } from '../pickers/random-bits.js';
import type { EndpointHealth } from './endpoint-health.js';
import { drawLevel, type Levels } from './routing.js';
import { pickWithShares, SlowStart, type PickAgain } from './slow-start.js';

/**
 * The say slow start and priority/zone failover have on the picker's choices
 * (docs/architecture.md, "Endpoint health"): an endpoint on its ramp keeps only its share of
 * the picks that land on it, and with candidates spread over levels each pick first draws its
 * level by share. The attempt stage asks only while {@link adjusting}, so a client with neither
 * pays one field read per attempt.
 *
 * @example
 * const shares = new PickShares(picker, { window: 30_000, aggression: 1, minWeight: 0.1 });
 * if (shares.adjusting) endpoint = shares.adjust(ctx, endpoint);
 */
export class PickShares {
  /** Whether picks need adjusting now: some endpoint ramps up, or calls are spread over levels. A field: read per attempt. */
  adjusting = false;
  readonly #picker: Picker;
  readonly #slowStart: SlowStart | undefined;
  /** The levels the candidates span, with their shares; undefined with one level. */
  #levels: Levels | undefined = undefined;
  readonly #random = fastRandom();

  constructor(picker: Picker, slowStart: ConstructorParameters<typeof SlowStart>[0] | undefined) {
    this.#picker = picker;
    this.#slowStart = slowStart === undefined ? undefined : new SlowStart(slowStart);
  }

  /** The candidates now span `levels` (undefined: one level). */
  setLevels(levels: Levels | undefined): void {
    this.#levels = levels;
    this.#update();
  }

  /** Starts (or restarts) an endpoint's ramp, when slow start is on. */
  startRamp(h: EndpointHealth, now: number): void {
    this.#slowStart?.start(h, now);
    this.#update();
  }

  /** The set changed: endpoints that left took their ramps with them. */
  recount(pool: readonly LiveEndpoint[]): void {
    this.#slowStart?.recount(pool);
    this.#update();
  }

  /**
   * The pick to send instead of `picked`: the level is drawn first, by its share, and only the
   * picker's choices in it stand, so levels get their share whatever the picker proposes; an
   * endpoint on its ramp keeps a pick with its ramp's share (see `pickWithShares`).
   */
  adjust(request: PickAgain, picked: unknown): unknown {
    const slow = this.#slowStart;
    const now = request.now;
    const levels = this.#levels;
    const target = levels === undefined ? -1 : drawLevel(levels, request.tried, this.#random());
    const chosen = pickWithShares(request, picked, this.#picker, (e) => {
      const h = e.health;
      if (h === undefined) return 1;
      if (target >= 0 && h.level !== target) return 0;
      return slow === undefined ? 1 : slow.share(h, now);
    }, this.#random);
    this.#update();
    return chosen;
  }

  #update(): void {
    this.adjusting = this.#levels !== undefined || (this.#slowStart !== undefined && this.#slowStart.ramping > 0);
  }
}
