import type { LiveEndpoint } from '../endpoints/endpoint.js';
import type { Picker } from '../pickers/picker.js';
import type { EndpointHealth } from './endpoint-health.js';

/** What slow start needs of the call it adjusts a pick for: the call context. */
export interface PickAgain {
  readonly tried: readonly LiveEndpoint[];
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
  recount(list: readonly LiveEndpoint[]): void {
    let n = 0;
    for (const e of list) if (e.health !== undefined && e.health.rampStart !== -Infinity) n++;
    this.ramping = n;
  }

  /** The share of its usual calls an endpoint gets now: 1 once its ramp is over (or without one). */
  share(h: EndpointHealth, now: number): number {
    if (h.rampStart === -Infinity) return 1;
    const t = (now - h.rampStart) / this.#window;
    if (t >= 1) {
      h.rampStart = -Infinity;
      this.ramping--;
      return 1;
    }
    return Math.max(this.#minWeight, t <= 0 ? 0 : Math.pow(t, 1 / this.#aggression));
  }
}

/**
 * Most picks drawn in a row for one call before the last is kept whatever its share: far more
 * than shares need (a level whose endpoints keep 1 % of the picks that land on them, drawn 90 %
 * of the time, runs past it once in 10^3), and a bound for a custom picker that returns the
 * same endpoint every time, which no share can move (the built-in pickers are not asked again
 * as they are: see {@link pickSettingAside}).
 */
const MAX_DRAWS = 64;

/**
 * Slow start for a built-in picker (one that picks in one level only, its level's copy when
 * there are levels: health/pick-shares.ts): a pick on a ramping endpoint stands with
 * probability `share(endpoint)`, and otherwise the picker picks again with that endpoint set
 * aside, passed as tried (a built-in picker honours `tried` exactly). So a ramping endpoint
 * gets `share` × what the picker would have given it — "of its usual share" to the letter,
 * whatever the picker, a load-aware one that proposes the same endpoint on every draw
 * included — and the rest goes where the picker's next choice sends it. When nothing is left
 * but what the call tried and the endpoints set aside, the first one set aside stands: a level
 * of ramping endpoints alone still takes its share.
 */
export function pickSettingAside(request: PickAgain, picked: unknown, picker: Picker, share: (e: LiveEndpoint) => number, random: () => number): unknown {
  if (!isEndpoint(picked)) return picked;
  let p = share(picked);
  if (p >= 1 || random() < p) return picked;
  const aside: LiveEndpoint[] = [...request.tried, picked];
  const again = { key: request.key, tried: aside, now: request.now };
  for (let i = 1; i < MAX_DRAWS; i++) {
    // A picker that throws here fails the call (the attempt stage makes it a PluginError), as a
    // throw on the first draw does: nothing is sent.
    const next: unknown = picker.pick(again);
    if (!isEndpoint(next)) return next === undefined ? picked : next;
    if (aside.includes(next)) return picked;
    p = share(next);
    if (p >= 1 || random() < p) return next;
    aside.push(next);
  }
  return picked;
}

/** Whether a pick is an endpoint at all (anything else is left for the attempt stage to refuse). */
function isEndpoint(e: unknown): e is LiveEndpoint {
  return e !== null && typeof e === 'object' && 'health' in e;
}

/**
 * Keeps a pick with probability `keep(endpoint)` — slow start's share, 0 outside the routing
 * level drawn for the pick — and otherwise asks the picker again, as it is, for another draw:
 * rejection sampling over the picker's own choices, for a picker of the user's, which may not
 * honour `tried` (the built-in ones pick within a level through their level's copy and set a
 * ramping endpoint aside instead: {@link pickSettingAside}). Rejected endpoints are not added
 * to `tried`, which would shrink their level's pool for the next draw and skew the shares. The
 * result is as exact as the picker's proposals allow: a picker that proposes an endpoint
 * independently on each draw gives a ramping one its share × its proposals, renormalised over
 * what is kept; one that proposes the same endpoint every time moves nothing.
 */
export function pickWithShares(request: PickAgain, picked: unknown, picker: Picker, keep: (e: LiveEndpoint) => number, random: () => number): unknown {
  let current = picked;
  // A picker that throws on a draw again fails the call (the attempt stage makes it a
  // PluginError), as a throw on the first draw does: nothing is sent.
  for (let i = 1; i < MAX_DRAWS; i++) {
    if (current === null || typeof current !== 'object' || !('health' in current)) return current;
    const p = keep(current as LiveEndpoint);
    if (p >= 1 || random() < p) return current;
    const again: unknown = picker.pick(request);
    if (again === undefined) return current;
    current = again;
  }
  return current;
}
