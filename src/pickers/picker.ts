import type { EndpointState } from '../endpoints/endpoint.js';

/** What a picker is told about the call it picks for. One object per call, reused across its attempts. */
export interface PickRequest {
  /** The per-call `key` (for hash-based pickers); `undefined` when the call gave none. */
  readonly key: string | undefined;
  /**
   * Endpoints this call already tried, oldest first; empty on the first attempt. A picker
   * should return an endpoint not in this list whenever the candidates hold one, and may
   * return a tried one only when every candidate was tried.
   */
  readonly tried: readonly EndpointState[];
  /**
   * The time of this pick on the client's clock (`performance.now()` unless the client was
   * given another), read once per attempt and shared with the deadline and the budget, so a
   * latency-reading picker need not read the clock again. Optional for pickers called outside a client.
   */
  readonly now?: number | undefined;
}

/**
 * A load-balancing policy. The client calls `update` with the current candidates each time
 * the endpoint set changes (a snapshot the picker may index), and `pick` once per attempt.
 * `pick` must be synchronous, should not allocate, and returns `undefined` only when it was
 * given no candidates.
 *
 * A picker instance holds state (counters, rings) and belongs to one client: create one per
 * client. Prefer a class (state in fields, `pick` a method) to an object of closures: every
 * client then calls one `pick` function, which V8 optimizes once for all of them.
 *
 * @example
 * // A picker that always prefers the endpoint with the fewest requests in flight.
 * class FewestInflight implements Picker {
 *   readonly name = 'fewestInflight';
 *   #list: readonly EndpointState[] = [];
 *   update(endpoints: readonly EndpointState[]): void { this.#list = endpoints; }
 *   pick({ tried }: PickRequest): EndpointState | undefined {
 *     let best: EndpointState | undefined;
 *     for (const e of this.#list) {
 *       if (tried.includes(e) && tried.length < this.#list.length) continue;
 *       if (!best || e.inflight < best.inflight) best = e;
 *     }
 *     return best;
 *   }
 * }
 */
export interface Picker {
  /** Short, non-empty name shown in `stats().picker` and in errors; `createClient` refuses a missing or empty one with `ConfigError` (`picker.name`). */
  readonly name: string;
  /**
   * Optional: the time constant (ms) of the per-endpoint latency EWMA the client keeps
   * (`endpoint.latency`). Pickers that read latency set it; the client default is 10 000.
   */
  readonly latencyDecay?: number | undefined;
  /**
   * Receives the current candidates; called before the first pick and after every change. The
   * array is a fresh one each time and never mutated afterwards, so a picker may keep it and
   * index it.
   */
  update(endpoints: readonly EndpointState[]): void;
  /** Chooses one endpoint for an attempt. */
  pick(request: PickRequest): EndpointState | undefined;
}

/** Options every built-in picker that draws at random accepts. */
export interface RandomSource {
  /** Source of uniform numbers in [0, 1); default: a fast generator seeded from `Math.random`. Inject one for deterministic tests. */
  random?: (() => number) | undefined;
}

/**
 * Internal (not exported from the package): a built-in picker (every one: round robin, weighted
 * round robin, peak EWMA, least request, random, and ring hash for calls without a key) that
 * makes a fresh picker of its kind for one failover level, as Envoy keeps one load balancer per
 * priority (health/pick-shares.ts). Asking one picker over all levels again until it proposes
 * the level drawn fails two ways: a rotation advances on every rejected draw and splits a level
 * unevenly, and a picker that compares its candidates (peak EWMA with two, a light standby among
 * heavy weights) proposes the same endpoint, or seldom another level, draw after draw. Marked
 * pickers are also told, when slow start turns a proposal down, to pick again with it set
 * aside (as `tried`), which they honour exactly.
 */
export interface LevelPickers {
  forLevel(): Picker;
}

/**
 * Internal: a built-in picker in which slow start scales a ramping endpoint's weight (as Envoy
 * does) rather than turning its picks down and asking again: peak EWMA, which compares loads
 * (asked again, it proposes the endpoint it found the least loaded again), in its comparison;
 * weighted round robin, whose rotation a pick asked again would advance, by letting a ramping
 * endpoint's turn pass unless kept with probability `factor`. Used only while picks are
 * adjusted (health/pick-shares.ts); the picker's own `pick` is untouched.
 */
export interface RampScaler {
  /** A pick as `pick` makes it, each candidate's weight in effect multiplied by `factor(e)` (in [0, 1]). */
  pickScaled(request: PickRequest, factor: (e: EndpointState) => number): EndpointState | undefined;
}

/** What a {@link KeyWalker}'s `accept` says of an endpoint on the walk: take it. */
export const TAKE = 0;
/** Walk past it without counting it (outside the level drawn). */
export const SKIP = 1;
/** Walk past it, but keep it in mind: the first one passed is taken if the walk passes too many (slow start). */
export const PASS = 2;

/**
 * Internal: a picker deterministic per key (ring hash). Asking it again returns the same
 * endpoint, so rejection sampling cannot move its picks; instead slow start and failover
 * (health/pick-shares.ts) walk its ring from the key's point to the first endpoint they accept,
 * so a key that may not stay on an endpoint goes, every time, to the one after it on the ring.
 */
export interface KeyWalker {
  /** The hash placing the call's key on the ring; `undefined` for a call without a key. */
  keyHash(key: unknown): number | undefined;
  /**
   * The first endpoint clockwise from `hash` that the call has not tried (any, once all were)
   * and that `accept` answers {@link TAKE} for; `undefined` with no candidates.
   */
  walk(hash: number, tried: readonly EndpointState[], accept: (e: EndpointState) => number): EndpointState | undefined;
}

/**
 * The built-in pickers that are {@link LevelPickers} or {@link KeyWalker}s, marked by their
 * constructors: a mark rather than a method name, so that no user picker with a method of that
 * name is taken for one (custom pickers keep rejection sampling).
 */
const levelPickers = new WeakSet<object>();
const keyWalkers = new WeakSet<object>();
const rampScalers = new WeakSet<object>();

/** Internal: marks a built-in picker as a {@link RampScaler}; returns it. */
export function markRampScaler<P extends RampScaler>(picker: P): P {
  rampScalers.add(picker);
  return picker;
}

/** Internal: `picker` as a {@link RampScaler}, when it was marked so. */
export function asRampScaler(picker: Picker): RampScaler | undefined {
  return rampScalers.has(picker) ? (picker as Picker & RampScaler) : undefined;
}

/** Internal: marks a built-in picker as one of the {@link LevelPickers}; returns it. */
export function markLevelPickers<P extends LevelPickers>(picker: P): P {
  levelPickers.add(picker);
  return picker;
}

/** Internal: marks a built-in picker as a {@link KeyWalker}; returns it. */
export function markKeyWalker<P extends KeyWalker>(picker: P): P {
  keyWalkers.add(picker);
  return picker;
}

/** Internal: `picker` as {@link LevelPickers}, when it was marked so. */
export function asLevelPickers(picker: Picker): LevelPickers | undefined {
  return levelPickers.has(picker) ? (picker as Picker & LevelPickers) : undefined;
}

/** Internal: `picker` as a {@link KeyWalker}, when it was marked so. */
export function asKeyWalker(picker: Picker): KeyWalker | undefined {
  return keyWalkers.has(picker) ? (picker as Picker & KeyWalker) : undefined;
}
