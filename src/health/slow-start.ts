import type { EndpointState } from '../endpoints/endpoint.js';
import { fastRandom } from '../pickers/p2c.js';
import type { Picker } from '../pickers/picker.js';
import type { EndpointHealth } from './endpoint-health.js';

/** What slow start needs of the call it adjusts a pick for: the call context. */
export interface PickAgain {
  tried: readonly EndpointState[];
  readonly key: string | undefined;
  readonly now: number;
}

/**
 * Slow start (Envoy's formula), for any picker: an endpoint that joined after the first set or
 * came back from an ejection gets `max(minWeight, (t / window)^(1 / aggression))` of its usual
 * share for `window` ms.
 */
export class SlowStart {
  /** Endpoints on a ramp now. */
  ramping = 0;
  readonly #window: number;
  readonly #aggression: number;
  readonly #minWeight: number;
  readonly #random = fastRandom();

  constructor(options: { readonly window: number; readonly aggression: number; readonly minWeight: number }) {
    this.#window = options.window;
    this.#aggression = options.aggression;
    this.#minWeight = options.minWeight;
  }

  /** Starts (or restarts) an endpoint's ramp. */
  start(h: EndpointHealth, now: number): void {
    if (h.rampStart === -Infinity) this.ramping++;
    h.rampStart = now;
  }

  /** Counts the ramps again after the set changed (endpoints that left took theirs with them). */
  recount(list: readonly EndpointState[]): void {
    let n = 0;
    for (const e of list) if (e.health !== undefined && e.health.rampStart !== -Infinity) n++;
    this.ramping = n;
  }

  /**
   * A pick on a ramping endpoint stands with the probability of its current share; otherwise
   * the picker picks again, told the endpoint was tried. Anything else passes through.
   */
  pick(request: PickAgain, picked: unknown, picker: Picker): unknown {
    if (picked === null || typeof picked !== 'object' || !('health' in picked)) return picked;
    const h = (picked as EndpointState).health;
    if (h === undefined || h.rampStart === -Infinity) return picked;
    const t = (request.now - h.rampStart) / this.#window;
    if (t >= 1) {
      h.rampStart = -Infinity;
      this.ramping--;
      return picked;
    }
    const share = Math.max(this.#minWeight, t <= 0 ? 0 : Math.pow(t, 1 / this.#aggression));
    if (this.#random() < share) return picked;
    const tried = request.tried;
    request.tried = [...tried, picked as EndpointState];
    try {
      return picker.pick(request) ?? picked;
    } catch {
      return picked;
    } finally {
      request.tried = tried;
    }
  }
}
