import type { EndpointState } from '../endpoints/endpoint.js';
import { draw, fraction, type RandomBits } from './random-bits.js';

/** Draws per candidate wanted before giving up on finding an untried one (the caller then draws by weight among the untried: `leastLoadedUntried`). */
const TRIES_PER_CHOICE = 16;

/**
 * Candidates drawn in proportion to their weight, in O(1) a draw (Vose's alias method: one
 * index and one coin per draw), for `leastRequest` with unequal weights. The table is built on
 * the first draw after an update, so an update that is never picked from costs only the scan
 * for unequal weights.
 *
 * @example
 * const draws = WeightedDraw.unlessEqual(endpoints);
 * const e = draws?.leastLoaded(tried, bits, 2);
 */
export class WeightedDraw {
  readonly #list: readonly EndpointState[];
  #prob: Float64Array | undefined;
  #alias: Int32Array | undefined;

  private constructor(list: readonly EndpointState[]) {
    this.#list = list;
  }

  /** A draw over `list` in proportion to weight; undefined when every weight is the same (uniform draws are then exact). */
  static unlessEqual(list: readonly EndpointState[]): WeightedDraw | undefined {
    const n = list.length;
    if (n < 2) return undefined;
    const w = list[0]!.weight;
    for (let i = 1; i < n; i++) if (list[i]!.weight !== w) return new WeightedDraw(list);
    return undefined;
  }

  /**
   * Of `choices` weighted draws not in `tried`, the one with the lowest `inflight / weight`,
   * the first drawn winning a tie (so with nothing in flight, shares follow the weights);
   * undefined when the draws kept landing on tried candidates.
   */
  leastLoaded(tried: readonly EndpointState[], bits: RandomBits, choices: number): EndpointState | undefined {
    let best: EndpointState | undefined;
    let bestLoad = Infinity;
    let found = 0;
    for (let t = 0; t < choices * TRIES_PER_CHOICE && found < choices; t++) {
      const e = this.#draw(bits);
      if (tried.length !== 0 && tried.includes(e)) continue;
      found++;
      const load = e.inflight / e.weight;
      if (load < bestLoad) {
        best = e;
        bestLoad = load;
      }
    }
    return best;
  }

  /**
   * The rare path after {@link leastLoaded} found nothing: `choices` draws in proportion to
   * weight among the candidates not in `tried` (among all of them when every one was tried), the
   * lowest `inflight / weight` winning, the first drawn on a tie. A retry whose heavy endpoints
   * were tried, or that tried every one, still spreads by weight (uniform draws, as once, ignored
   * it). O(n) for a table of running sums, then O(log n) a draw.
   *
   * @example
   * const e = draws.leastLoaded(tried, bits, 2) ?? draws.leastLoadedUntried(tried, bits, 2);
   */
  leastLoadedUntried(tried: readonly EndpointState[], bits: RandomBits, choices: number): EndpointState | undefined {
    const list = this.#list;
    const n = list.length;
    if (n === 0) return undefined;
    const skip = new Set(tried);
    const sums = new Float64Array(n);
    let total = 0;
    let last = -1;
    for (let i = 0; i < n; i++) {
      const e = list[i]!;
      if (!skip.has(e)) {
        total += e.weight;
        last = i;
      }
      sums[i] = total;
    }
    if (last < 0) {
      // Every candidate was tried: drawn by weight among all of them, as on a first attempt.
      for (let i = 0; i < n; i++) sums[i] = total += list[i]!.weight;
      last = n - 1;
    }
    let best: EndpointState | undefined;
    let bestLoad = Infinity;
    for (let c = 0; c < choices; c++) {
      // The first running sum past x: a skipped candidate adds nothing, so it is never the one.
      const x = fraction(bits) * total;
      let lo = 0;
      let hi = last;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sums[mid]! > x) hi = mid;
        else lo = mid + 1;
      }
      const e = list[lo]!;
      const load = e.inflight / e.weight;
      if (load < bestLoad) {
        best = e;
        bestLoad = load;
      }
    }
    return best;
  }

  #draw(bits: RandomBits): EndpointState {
    if (this.#prob === undefined) this.#build();
    const i = draw(bits, this.#list.length);
    const coin = fraction(bits);
    return this.#list[coin < this.#prob![i]! ? i : this.#alias![i]!]!;
  }

  /** Vose's alias table: each slot keeps its own candidate with `prob`, else its alias. */
  #build(): void {
    const list = this.#list;
    const n = list.length;
    let total = 0;
    for (const e of list) total += e.weight;
    const prob = new Float64Array(n);
    const alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      scaled[i] = (list[i]!.weight * n) / total;
      (scaled[i]! < 1 ? small : large).push(i);
    }
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      prob[s] = scaled[s]!;
      alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      (scaled[l]! < 1 ? small : large).push(l);
    }
    // What is left is 1 up to rounding.
    for (const i of large) prob[i] = 1;
    for (const i of small) prob[i] = 1;
    this.#prob = prob;
    this.#alias = alias;
  }
}
