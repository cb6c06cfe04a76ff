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
  /** Short name shown in `stats()` and events. */
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
