import type { EndpointState } from '../endpoints/endpoint.js';
import { ConfigError } from '../errors.js';

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

  update(list: readonly EndpointState[]): void {
    this.list = list;
    this.#index = undefined;
  }

  /** Position of each candidate (the first, for one listed twice). */
  #built(): Map<EndpointState, number> {
    const list = this.list;
    const index = new Map<EndpointState, number>();
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      if (!index.has(e)) index.set(e, i);
    }
    this.#index = index;
    return index;
  }

  /** How many candidates are not in `tried`; 0 when every candidate was tried. */
  untried(tried: readonly EndpointState[]): number {
    let n = this.list.length;
    for (let j = 0; j < tried.length; j++) if (this.#position(tried, j) >= 0) n--;
    return n;
  }

  /** The list index of the `r`-th (0-based, in list order) candidate not in `tried`. */
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

/** A uniform integer in [0, m) from `random` (a source {@link randomOption} made safe). */
export function draw(random: () => number, m: number): number {
  const i = (random() * m) | 0;
  return i < m ? i : m - 1;
}

/**
 * Two distinct uniform integers in [0, m), 2 ≤ m ≤ 1024, from one draw: its integer part picks
 * the first, its fraction (uniform and independent of the integer part) the second; a 32-bit
 * source leaves at least 22 bits for it. Packed as `first * 2048 + second`, so nothing is
 * allocated. Truncation only, no range checks: {@link randomOption} already keeps a source
 * below 1 − 2⁻³², where `random() * m` truncates below m. Small enough for V8 to inline.
 */
export function drawTwo(random: () => number, m: number): number {
  const r = random() * m;
  const first = r | 0;
  let second = ((r - first) * (m - 1)) | 0;
  if (second >= first) second++;
  return first * 2048 + second;
}

/**
 * A uniformly random candidate not in `tried`; any candidate when all were tried; `undefined`
 * only when there are none. O(|tried|²), no allocation.
 */
export function pickAtRandom(
  candidates: Candidates, tried: readonly EndpointState[], random: () => number,
): EndpointState | undefined {
  const n = candidates.list.length;
  if (n === 0) return undefined;
  const m = tried.length === 0 ? n : candidates.untried(tried);
  if (m === 0) return candidates.list[draw(random, n)];
  return candidates.list[candidates.nthUntried(draw(random, m), tried)];
}

/**
 * Power of d choices (Mitzenmacher, "The Power of Two Choices in Randomized Load
 * Balancing"): draws `choices` candidates not in `tried` — the first two always distinct,
 * further ones independently, as Envoy's `choice_count` does — and returns the one with the
 * lowest `load`. When `choices` or fewer remain, compares them all. When every candidate was
 * tried, chooses among all of them as on a first attempt. O(choices · |tried|²), no allocation.
 */
export function pickLeastLoaded(
  candidates: Candidates, tried: readonly EndpointState[], random: () => number,
  load: (endpoint: EndpointState) => number, choices: number,
): EndpointState | undefined {
  const list = candidates.list;
  const n = list.length;
  if (n <= 1) return list[0];
  let m = tried.length === 0 ? n : candidates.untried(tried);
  if (m === 0) {
    tried = NONE;
    m = n;
  }
  let best: EndpointState;
  let bestLoad: number;
  if (m <= choices) {
    // Compare every remaining candidate, from a random start so that equal loads (say, two
    // fresh endpoints) do not always go to the first in list order.
    const start = draw(random, m);
    best = list[candidates.nthUntried(start, tried)]!;
    bestLoad = load(best);
    for (let s = 1; s < m; s++) {
      const r = start + s < m ? start + s : start + s - m;
      const e = list[candidates.nthUntried(r, tried)]!;
      const l = load(e);
      if (l < bestLoad) { best = e; bestLoad = l; }
    }
    return best;
  }
  let first: number;
  let second: number;
  if (m <= 1024) {
    const pair = drawTwo(random, m);
    first = pair >> 11;
    second = pair & 2047;
  } else {
    first = draw(random, m);
    second = draw(random, m - 1);
    if (second >= first) second++;
  }
  // `first` is random, so keeping it on a tie breaks ties at random.
  best = list[candidates.nthUntried(first, tried)]!;
  bestLoad = load(best);
  for (let c = 1; c < choices; c++) {
    const e = list[candidates.nthUntried(c === 1 ? second : draw(random, m), tried)]!;
    const l = load(e);
    if (l < bestLoad) { best = e; bestLoad = l; }
  }
  return best;
}

/** A factory's options argument as a record; `picker` names it in the error. */
export function optionsObject(picker: string, options: unknown): Readonly<Record<string, unknown>> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError('bulwark', picker, 'must be an object', options);
  }
  return options as Record<string, unknown>;
}

/** Reads an optional function-valued option, e.g. `peakEwma.now`. */
export function functionOption<F extends ((...args: never[]) => unknown) | undefined>(
  picker: string, options: Readonly<Record<string, unknown>>, key: string, expected: string, fallback: F,
): F {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'function') throw new ConfigError('bulwark', `${picker}.${key}`, expected, value);
  return value as F;
}

/** The largest number a random source yields here: below it, `random() * m` truncates below m. */
const BELOW_ONE = 1 - 2 ** -32;

/**
 * Reads the `random` option every picker that draws at random accepts; default a
 * {@link fastRandom} generator of the picker's own. A user's source is checked where it comes
 * in, so the draws need no range checks: whatever it returns (1, -1, NaN, a string), the picker
 * gets a number in [0, 1 − 2⁻³²].
 */
export function randomOption(picker: string, options: Readonly<Record<string, unknown>>): () => number {
  const given = functionOption<(() => unknown) | undefined>(picker, options, 'random', 'must be a function returning numbers in [0, 1)', undefined);
  if (given === undefined) return fastRandom();
  return () => {
    const x = given();
    return typeof x === 'number' && x >= 0 ? (x < BELOW_ONE ? x : BELOW_ONE) : 0;
  };
}

/**
 * Uniform numbers in [0, 1) from Marsaglia's xorshift32, seeded from `Math.random`. A pick
 * draws twice; `Math.random` costs ≈ 10 ns a draw on the machines we measure on, this ≈ 2 ns.
 * Spreading load needs no more than its 32 bits and 2³²−1 period.
 *
 * @example
 * const random = fastRandom();
 * const i = Math.floor(random() * endpoints.length);
 */
export function fastRandom(): () => number {
  // In a typed array: a 32-bit state kept in a closure variable would be boxed on most writes.
  const state = new Int32Array(1);
  state[0] = (Math.floor(Math.random() * 0xffffffff) | 0) || 0x9e3779b9;
  return () => {
    let x = state[0]!;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    state[0] = x;
    return (x >>> 0) / 4294967296;
  };
}
