import type { EndpointState } from '../endpoints/endpoint.js';
import { draw, drawTwo, type RandomBits } from './random-bits.js';

const NONE: readonly EndpointState[] = [];

/**
 * The candidates a picker was last given, indexed by endpoint so the few endpoints a call
 * already tried can be skipped in O(|tried|²) work whatever the number of candidates:
 * `tried` holds a handful of entries, the candidate list may hold thousands. The index is built
 * on the first retry after an update, not by the update: a large set that changes often (one
 * update every few seconds at 100 000 endpoints) then costs nothing between retries.
 */
export class Candidates {
  /** The current candidates, in the order the picker indexes them. */
  list: readonly EndpointState[] = NONE;
  #index: Map<EndpointState, number> | undefined = undefined;
  /** `list` without its repeats (a custom caller may list an endpoint twice); undefined when it has none. */
  #distinct: EndpointState[] | undefined = undefined;

  update(list: readonly EndpointState[]): void {
    this.list = list;
    this.#index = undefined;
    this.#distinct = undefined;
  }

  /**
   * The candidates the indices of {@link untried} and {@link nthUntried} refer to when `tried`
   * is not empty: `list` with each endpoint once (so that no later copy of a tried endpoint
   * counts as untried). Valid after `untried` was called since the last update.
   */
  get distinct(): readonly EndpointState[] {
    return this.#distinct ?? this.list;
  }

  /** Position of each candidate in {@link distinct}. */
  #built(): Map<EndpointState, number> {
    const list = this.list;
    const index = new Map<EndpointState, number>();
    let distinct: EndpointState[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      if (index.has(e)) {
        distinct ??= list.slice(0, i);
        continue;
      }
      index.set(e, distinct === undefined ? i : distinct.length);
      distinct?.push(e);
    }
    this.#index = index;
    this.#distinct = distinct;
    return index;
  }

  /** How many candidates are not in `tried`; 0 when every candidate was tried. */
  untried(tried: readonly EndpointState[]): number {
    const index = this.#index ?? this.#built();
    let n = this.#distinct === undefined ? this.list.length : index.size;
    for (let j = 0; j < tried.length; j++) if (this.#position(tried, j) >= 0) n--;
    return n;
  }

  /** The {@link distinct} index of the `r`-th (0-based, in list order) candidate not in `tried`; with `tried` empty, the list index `r`. */
  nthUntried(r: number, tried: readonly EndpointState[]): number {
    if (tried.length === 0) return r;
    // The answer is the least fixed point of x = r + |{tried positions ≤ x}|. Iterating from
    // x = r climbs to it monotonically in at most |tried| + 1 rounds, without sorting `tried`.
    let x = r;
    for (;;) {
      let next = r;
      for (let j = 0; j < tried.length; j++) {
        const p = this.#position(tried, j);
        if (p >= 0 && p <= x) next++;
      }
      if (next === x) return x;
      x = next;
    }
  }

  /** The list index of `tried[j]`; -1 when it is no candidate (any more) or repeats an earlier entry. */
  #position(tried: readonly EndpointState[], j: number): number {
    const e = tried[j]!;
    const p = (this.#index ?? this.#built()).get(e);
    if (p === undefined) return -1;
    for (let m = 0; m < j; m++) if (tried[m] === e) return -1;
    return p;
  }
}

/**
 * A uniformly random candidate not in `tried`; any candidate when all were tried; `undefined`
 * only when there are none. O(|tried|²), no allocation.
 */
export function pickAtRandom(
  candidates: Candidates, tried: readonly EndpointState[], bits: RandomBits,
): EndpointState | undefined {
  const n = candidates.list.length;
  if (n === 0) return undefined;
  if (tried.length === 0) return candidates.list[draw(bits, n)];
  const m = candidates.untried(tried);
  if (m === 0) return candidates.list[draw(bits, n)];
  return candidates.distinct[candidates.nthUntried(draw(bits, m), tried)];
}

/** What {@link pickLeastLoaded} compares candidates on (a picker implements it: one `load` method for every client). */
export interface LoadMeasure {
  /** The candidate's load; the lowest wins. */
  load(endpoint: EndpointState): number;
}

/**
 * Power of d choices (Mitzenmacher, "The Power of Two Choices in Randomized Load
 * Balancing"): draws `choices` candidates not in `tried` — the first two always distinct,
 * further ones independently, as Envoy's `choice_count` does — and returns the one with the
 * lowest `measure.load`. When `choices` or fewer remain, compares them all. When every candidate was
 * tried, chooses among all of them as on a first attempt. O(choices · |tried|²), no allocation.
 */
export function pickLeastLoaded(
  candidates: Candidates, tried: readonly EndpointState[], bits: RandomBits,
  measure: LoadMeasure, choices: number,
): EndpointState | undefined {
  let list = candidates.list;
  const n = list.length;
  if (n <= 1) return list[0];
  let m = n;
  if (tried.length !== 0) {
    m = candidates.untried(tried);
    if (m === 0) {
      tried = NONE;
      m = n;
    } else {
      // Indices of untried candidates are into the list without repeats.
      list = candidates.distinct;
    }
  }
  let best: EndpointState;
  let bestLoad: number;
  if (m <= choices) {
    // Compare every remaining candidate, from a random start so that equal loads (say, two
    // fresh endpoints) do not always go to the first in list order.
    const start = draw(bits, m);
    best = list[candidates.nthUntried(start, tried)]!;
    bestLoad = measure.load(best);
    for (let s = 1; s < m; s++) {
      const r = start + s < m ? start + s : start + s - m;
      const e = list[candidates.nthUntried(r, tried)]!;
      const l = measure.load(e);
      if (l < bestLoad) { best = e; bestLoad = l; }
    }
    return best;
  }
  let first: number;
  let second: number;
  if (m <= 1024) {
    const pair = drawTwo(bits, m);
    first = pair >> 11;
    second = pair & 2047;
  } else {
    first = draw(bits, m);
    second = draw(bits, m - 1);
    if (second >= first) second++;
  }
  // `first` is random, so keeping it on a tie breaks ties at random.
  best = list[candidates.nthUntried(first, tried)]!;
  bestLoad = measure.load(best);
  for (let c = 1; c < choices; c++) {
    const e = list[candidates.nthUntried(c === 1 ? second : draw(bits, m), tried)]!;
    const l = measure.load(e);
    if (l < bestLoad) { best = e; bestLoad = l; }
  }
  return best;
}
