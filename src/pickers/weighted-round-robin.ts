import type { EndpointState } from '../endpoints/endpoint.js';
import type { Picker, PickRequest, RandomSource } from './picker.js';
import { optionsObject, randomOption } from './p2c.js';

/** Options of {@link weightedRoundRobin}. */
export interface WeightedRoundRobinOptions extends RandomSource {
  /**
   * Chooses where in its first period each new endpoint starts. Default: a fast generator seeded from `Math.random`: clients
   * that see the same set at the same moment then interleave endpoints differently instead of
   * all sending their first calls to the heaviest one (Envoy starts its scheduler at a random
   * pick for the same reason).
   */
  random?: (() => number) | undefined;
}

/**
 * Weighted round robin by earliest deadline first (Envoy's `EdfScheduler`): every endpoint
 * has a virtual deadline, the one due first is picked and its next deadline is set
 * `1 / weight` later. Over any stretch of picks each endpoint's count stays within about one
 * of its exact share, weights may be fractional, and each endpoint's turns come at even
 * intervals (weights 3:1 repeat A A A B, never A A A A A A B B). `endpoint.weight` is read at
 * every pick, so a weight changed in place (slow start) takes effect at once. Endpoints that
 * stay across an update keep their deadlines, so updates do not reset the rotation; a retry
 * takes the earliest-due endpoint not yet tried. O(log n) per pick, no allocation.
 *
 * @example
 * const client = createClient({
 *   name: 'users',
 *   discovery: [{ host: '10.0.0.1', port: 80, weight: 3 }, { host: '10.0.0.2', port: 80, weight: 1.5 }],
 *   picker: weightedRoundRobin(),
 * });
 */
export function weightedRoundRobin(options?: WeightedRoundRobinOptions): Picker {
  return new EarliestDeadlineFirst(randomOption('weightedRoundRobin', optionsObject('weightedRoundRobin', options)));
}

/** Virtual time between two turns of `e`; a weight that is not > 0 counts as 1 rather than corrupting the heap. */
function period(e: EndpointState): number {
  const w = e.weight;
  return w > 0 ? 1 / w : 1;
}

class EarliestDeadlineFirst implements Picker {
  readonly name = 'weightedRoundRobin';
  readonly #random: () => number;
  #list: readonly EndpointState[] = [];
  /** Per list index: the virtual time of the endpoint's next turn. */
  #deadline = new Float64Array(0);
  /** List indices, a binary min-heap on (deadline, index). */
  #heap = new Int32Array(0);
  /** Virtual time of the last regular (first-attempt) pick. */
  #now = 0;

  constructor(random: () => number) {
    this.#random = random;
  }

  update(endpoints: readonly EndpointState[]): void {
    // Rebasing kept deadlines on the last pick keeps virtual time near zero, where float steps are exact enough.
    const kept = new Map<EndpointState, number>();
    for (let i = 0; i < this.#list.length; i++) kept.set(this.#list[i]!, this.#deadline[i]! - this.#now);
    const n = endpoints.length;
    const deadline = new Float64Array(n);
    const heap = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const e = endpoints[i]!;
      let d = kept.get(e);
      if (d === undefined) {
        const u = this.#random();
        d = (u > 0 && u < 1 ? u : 0) * period(e);
      }
      deadline[i] = d;
      heap[i] = i;
    }
    this.#list = endpoints;
    this.#deadline = deadline;
    this.#heap = heap;
    this.#now = 0;
    for (let p = (n >> 1) - 1; p >= 0; p--) this.#siftDown(p);
  }

  pick({ tried }: PickRequest): EndpointState | undefined {
    if (this.#list.length === 0) return undefined;
    let p = 0;
    if (tried.length !== 0) {
      p = this.#untriedPosition(0, tried);
      if (p < 0) p = 0; // every candidate was tried: take the one due anyway
    }
    const i = this.#heap[p]!;
    const e = this.#list[i]!;
    if (p === 0) this.#now = this.#deadline[i]!;
    // A retry pick counts as the endpoint's turn, so over time it is not sent more than its share.
    this.#deadline[i] = this.#deadline[i]! + period(e);
    this.#siftDown(p);
    return e;
  }

  /**
   * Heap position of the earliest-due untried endpoint under `p`, or -1. Descends only through
   * tried endpoints — an untried one is due no later than anything below it — so it visits
   * O(|tried|) nodes.
   */
  #untriedPosition(p: number, tried: readonly EndpointState[]): number {
    if (p >= this.#heap.length) return -1;
    if (!tried.includes(this.#list[this.#heap[p]!]!)) return p;
    const left = this.#untriedPosition(2 * p + 1, tried);
    const right = this.#untriedPosition(2 * p + 2, tried);
    if (left < 0) return right;
    if (right < 0) return left;
    return this.#before(this.#heap[right]!, this.#heap[left]!) ? right : left;
  }

  /** Whether list index `a` is due before `b`; equal deadlines go in list order so runs are reproducible. */
  #before(a: number, b: number): boolean {
    const da = this.#deadline[a]!;
    const db = this.#deadline[b]!;
    return da < db || (da === db && a < b);
  }

  #siftDown(p: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const item = heap[p]!;
    for (;;) {
      let child = 2 * p + 1;
      if (child >= n) break;
      if (child + 1 < n && this.#before(heap[child + 1]!, heap[child]!)) child++;
      if (!this.#before(heap[child]!, item)) break;
      heap[p] = heap[child]!;
      p = child;
    }
    heap[p] = item;
  }
}
