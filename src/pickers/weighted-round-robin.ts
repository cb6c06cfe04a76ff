import { selfContainedUnless } from './check.js';
import type { EndpointState } from '../endpoints/endpoint.js';
import { markLevelPickers, markRampScaler, type LevelPickers, type Picker, type PickRequest, type RampScaler, type RandomSource } from './picker.js';
import type { Table } from '../config/keys.js';
import { optionsObject, pickerKeys } from './options.js';
import { fraction, randomBits, type RandomBits } from './random-bits.js';

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

const KEYS = pickerKeys('weightedRoundRobin', { random: true } satisfies Table<WeightedRoundRobinOptions>);

/**
 * Weighted round robin by earliest deadline first (Envoy's `EdfScheduler`): every endpoint
 * has a virtual deadline, the one due first is picked and its next deadline is set
 * `1 / weight` later. Over any stretch of picks each endpoint's count stays within about one
 * of its exact share, weights may be fractional, and each endpoint's turns come at even
 * intervals (weights 3:1 repeat A A A B, never A A A A A A B B). `endpoint.weight` is read at
 * every pick, so a weight changed in place takes effect from the endpoint's next turn. Endpoints
 * that stay across an update keep their deadlines, so updates do not reset the rotation (what is
 * left of the turn of one whose weight changed is rescaled to its new weight); a retry
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
  const opts = optionsObject('weightedRoundRobin', options, KEYS);
  return selfContainedUnless(new EarliestDeadlineFirst(randomBits('weightedRoundRobin', opts)), opts);
}

/** Virtual time between two turns of `e`; a weight that is not > 0 counts as 1 rather than corrupting the heap. */
function period(e: EndpointState): number {
  const w = e.weight;
  return w > 0 ? 1 / w : 1;
}

/** Most turns a ramping pick passes over before it takes the one it is at (see `pickScaled`). */
const MAX_PASSED_TURNS = 64;

class EarliestDeadlineFirst implements Picker, LevelPickers, RampScaler {
  readonly name = 'weightedRoundRobin';
  readonly #bits: RandomBits;
  #list: readonly EndpointState[] = [];
  /** Per list index: the virtual time of the endpoint's next turn. */
  #deadline = new Float64Array(0);
  /** Per list index: the period that turn was scheduled with (see `update`). */
  #period = new Float64Array(0);
  /** List indices, a binary min-heap on (deadline, index). */
  #heap = new Int32Array(0);
  /** The endpoints in `#list`, to tell a new one from one that moved. */
  readonly #known = new Set<EndpointState>();
  /** Virtual time of the last regular (first-attempt) pick. */
  #now = 0;

  constructor(bits: RandomBits) {
    this.#bits = bits;
    markLevelPickers(this);
    markRampScaler(this);
  }

  update(endpoints: readonly EndpointState[]): void {
    const old = this.#list;
    const oldDeadline = this.#deadline;
    const oldPeriod = this.#period;
    const known = this.#known;
    const n = endpoints.length;
    const deadline = new Float64Array(n);
    const periods = new Float64Array(n);
    const heap = new Int32Array(n);
    // Kept endpoints keep their deadlines. An update usually holds the last list with an entry
    // or two added or dropped, so each endpoint is first looked for where the last list is
    // expected to go on; only one found elsewhere costs an index of the old list.
    const matched = new Uint8Array(old.length);
    let moved: Map<EndpointState, number> | undefined;
    let matches = 0;
    let j = 0;
    for (let i = 0; i < n; i++) {
      const e = endpoints[i]!;
      let k = -1;
      if (j < old.length && old[j] === e) k = j;
      else if (j + 1 < old.length && old[j + 1] === e) k = j + 1;
      else if (known.has(e)) k = (moved ??= indexOf(old)).get(e) ?? -1;
      let d: number;
      const every = period(e);
      if (k >= 0 && matched[k] === 0) {
        // Rebasing kept deadlines on the last pick keeps virtual time near zero, where float steps are exact enough.
        d = oldDeadline[k]! - this.#now;
        // A weight that changed (discovery's update) rescales what is left of the turn: one
        // scheduled at weight 0.001 would otherwise keep a restored endpoint waiting ~1000 turns
        // of the others (Envoy rebuilds its scheduler on every change).
        if (oldPeriod[k] !== every) d = (d * every) / oldPeriod[k]!;
        matched[k] = 1;
        matches++;
        j = k + 1;
      } else {
        d = fraction(this.#bits) * every;
        known.add(e);
      }
      deadline[i] = d;
      periods[i] = every;
      heap[i] = i;
    }
    if (matches < old.length) for (let k = 0; k < old.length; k++) if (matched[k] === 0) known.delete(old[k]!);
    // Endpoints listed twice (custom callers) share one record: keep every listed one known.
    if (known.size !== n) for (const e of endpoints) known.add(e);
    this.#list = endpoints;
    this.#deadline = deadline;
    this.#period = periods;
    this.#heap = heap;
    this.#now = 0;
    for (let p = (n >> 1) - 1; p >= 0; p--) this.#siftDown(p);
  }

  /** Internal: a schedule of its own for one failover level (see {@link LevelPickers}). */
  forLevel(): Picker {
    return new EarliestDeadlineFirst(this.#bits);
  }

  /**
   * Internal, only while slow start ramps an endpoint (see {@link RampScaler}): a ramping
   * endpoint whose turn comes keeps it with probability `factor(e)`, read at that turn, and
   * otherwise its turn passes and the endpoint due next is taken in its own turn. So it is picked
   * weight × factor times per unit of the schedule's time against the others' weights, Envoy's
   * slow start for its EDF scheduler, and its schedule is never put off past one turn when the
   * ramp moves on. (Setting its pick aside and picking again would spend another endpoint's turn
   * each time: that one's schedule ran ahead, and the ramping one got about `factor` of the picks
   * whatever its weight.) After MAX_PASSED_TURNS turns passed over, the one it is at is taken.
   */
  pickScaled(request: PickRequest, factor: (e: EndpointState) => number): EndpointState | undefined {
    let first: EndpointState | undefined;
    for (let passed = 0; ; passed++) {
      const e = this.pick(request);
      if (e === undefined) return undefined;
      const f = factor(e);
      if (f >= 1 || passed >= MAX_PASSED_TURNS || fraction(this.#bits) < f) return e;
      // A retry that comes back to the endpoint it passed over has no other left to try: its
      // schedule stands still meanwhile (the others' turns are not taken), so passing its turns
      // again would only put it off, past the ramp.
      if (request.tried.length > 0) {
        if (e === first) return e;
        first ??= e;
      }
    }
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
    const every = period(e);
    this.#deadline[i] = this.#deadline[i]! + every;
    this.#period[i] = every;
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

/** Each endpoint's position in `list` (the first, for one listed twice). */
function indexOf(list: readonly EndpointState[]): Map<EndpointState, number> {
  const index = new Map<EndpointState, number>();
  for (let i = 0; i < list.length; i++) if (!index.has(list[i]!)) index.set(list[i]!, i);
  return index;
}
