import type { EndpointState } from '../endpoints/endpoint.js';
import { ConfigError } from '../errors.js';
import type { Picker, PickRequest, RandomSource } from './picker.js';
import { Candidates, functionOption, optionsObject, pickAtRandom, randomOption } from './p2c.js';

/** Options of {@link ringHash}. */
export interface RingHashOptions extends RandomSource {
  /**
   * Minimum number of points on the ring, an integer from 1 to 8 388 608. Default 1024 (Envoy
   * `ring_hash` `minimum_ring_size`; the upper bound is Envoy's `maximum_ring_size`). Unlike
   * Envoy, the minimum is not shared out among the endpoints — that would make each one's
   * points depend on how many there are, and move keys between endpoints that stay — so each
   * endpoint gets `ringSize × weight` points (at least one). With weight 1 the ring holds `ringSize × n`
   * points: the more points, the more even the spread of keys (about ±3 % per endpoint at
   * 1024), at 8 bytes a point and about 10 ms of rebuild per 100 000 points on each update.
   */
  ringSize?: number | undefined;
  /**
   * Hashes request keys and endpoint ids to unsigned 32-bit integers; point `j` of an endpoint
   * is MurmurHash3 of the 4 bytes of `j` seeded with its id's hash. Default {@link murmur3}
   * (MurmurHash3 x86_32, seed 0, over the UTF-8 bytes). Replace it only to agree with keys
   * hashed elsewhere; a call through it may allocate where the default does not.
   */
  hash?: ((text: string) => number) | undefined;
  /** Source of uniform numbers in [0, 1) for calls without a key. Default: a fast generator seeded from `Math.random`. */
  random?: (() => number) | undefined;
}

/** Envoy's default `maximum_ring_size`. */
const MAX_RING = 8_388_608;

/**
 * Consistent hashing on the call's `key` (Karger et al.; Ketama; Envoy `ring_hash`): every
 * endpoint owns points on a 32-bit ring, in proportion to its weight, and a key goes to the
 * owner of the first point at or after the key's hash. How many points an endpoint owns, and
 * where, depends only on its own id and weight — never on the other endpoints — so when the set changes only keys
 * that mapped to a removed endpoint move, and an added endpoint takes keys only for itself.
 * Every client with the same endpoint set computes the same ring. A retry walks clockwise to
 * the next point of an endpoint the call has not tried; a call without a key goes to a random
 * endpoint. O(log points) per pick, no allocation with the default hash; O(points) per update.
 *
 * @example
 * const sessions = createClient({ name: 'sessions', discovery: ['10.0.0.1:80', '10.0.0.2:80'], picker: ringHash() });
 * await sessions.fetch(`/v1/sessions/${id}`, { key: id }); // the same id always reaches the same endpoint
 */
export function ringHash(options?: RingHashOptions): Picker {
  const opts = optionsObject('ringHash', options);
  const random = randomOption('ringHash', opts);
  const hash = functionOption('ringHash', opts, 'hash', 'must be a function from string to a 32-bit integer', murmur3);
  const ringSize = opts['ringSize'] ?? 1024;
  if (typeof ringSize !== 'number' || !Number.isInteger(ringSize) || ringSize < 1 || ringSize > MAX_RING) {
    throw new ConfigError('bulwark', 'ringHash.ringSize', `must be an integer ≥ 1 (at most ${MAX_RING})`, ringSize);
  }
  return new Ring(ringSize, hash, random);
}

class Ring implements Picker {
  readonly name = 'ringHash';
  readonly #ringSize: number;
  readonly #hash: (text: string) => number;
  readonly #random: () => number;
  /** The endpoints sorted by id; ring entries hold indices into this list. */
  readonly #owners = new Candidates();
  /** Sorted point hashes. */
  #points = new Uint32Array(0);
  /** `#owner[k]` is the index in `#owners.list` of the endpoint owning `#points[k]`. */
  #owner = new Uint32Array(0);

  constructor(ringSize: number, hash: (text: string) => number, random: () => number) {
    this.#ringSize = ringSize;
    this.#hash = hash;
    this.#random = random;
  }

  update(endpoints: readonly EndpointState[]): void {
    // Ranking owners by id rather than by list order makes equal points (rare) break ties the
    // same way in every client and after every change.
    const owners = [...new Set(endpoints)].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const counts = this.#pointCounts(owners);
    let total = 0;
    for (const c of counts) total += c;
    const points = new Uint32Array(total);
    const owner = new Uint32Array(total);
    let k = 0;
    for (let i = 0; i < owners.length; i++) {
      // Point j of an endpoint is MurmurHash3 of the 4 bytes of j, seeded with the hash of its id.
      const seed = this.#hash(owners[i]!.id) | 0;
      for (let j = 0; j < counts[i]!; j++, k++) {
        points[k] = pointHash(seed, j);
        owner[k] = i;
      }
    }
    radixSort(points, owner);
    this.#owners.update(owners);
    this.#points = points;
    this.#owner = owner;
  }

  /**
   * Points per owner: `ringSize × weight`, at least 1. An endpoint's count depends on its own
   * weight alone, so adding or removing another (even the heaviest) moves no keys between
   * endpoints that stay. Only a ring past MAX_RING is scaled down, by halving, as a whole.
   */
  #pointCounts(owners: readonly EndpointState[]): number[] {
    let unit = 1;
    for (;;) {
      let total = 0;
      const counts = owners.map((e) => Math.max(1, Math.round((this.#ringSize * validWeight(e)) / unit)));
      for (const c of counts) total += c;
      // Only thousands of endpoints with a large ringSize get here; halving keeps proportions.
      if (total <= MAX_RING || total === owners.length) return counts;
      unit *= 2;
    }
  }

  pick({ key, tried }: PickRequest): EndpointState | undefined {
    const owners = this.#owners.list;
    if (owners.length === 0) return undefined;
    const text = keyText(key);
    if (text === undefined) return pickAtRandom(this.#owners, tried, this.#random);
    const points = this.#points;
    let target: number;
    if (this.#hash === murmur3) {
      murmur3Into(text, 0);
      target = HASH[0]!;
    } else {
      target = this.#hash(text) >>> 0;
    }
    // First point ≥ target, wrapping past the top of the ring to the first point.
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    let k = lo === points.length ? 0 : lo;
    let e = owners[this.#owner[k]!]!;
    if (tried.length === 0 || !tried.includes(e) || this.#owners.untried(tried) === 0) return e;
    // Every client walks the same way, so a key's fallback endpoint is as stable as its first choice.
    for (;;) {
      k = k + 1 === points.length ? 0 : k + 1;
      e = owners[this.#owner[k]!]!;
      if (!tried.includes(e)) return e;
    }
  }
}

/**
 * The text a key is hashed as. JavaScript callers pass numbers and bigints (user ids) where the
 * type says string; hashed as they print, they land where their string does, not all on the
 * endpoint of ''. Any other non-string has no stable text, so it is a call without a key.
 */
function keyText(key: unknown): string | undefined {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'bigint') return String(key);
  return undefined;
}

/**
 * Stable LSD radix sort of `keys` (11 + 11 + 10 bits), carrying `values` along: O(n), where a
 * comparison sort of a million points blocks the event loop for over 100 ms. Stability keeps
 * equal points in owner order.
 */
function radixSort(keys: Uint32Array, values: Uint32Array): void {
  const scratchKeys = new Uint32Array(keys.length);
  const scratchValues = new Uint32Array(keys.length);
  const counts = new Uint32Array(2048);
  radixPass(keys, values, scratchKeys, scratchValues, 0, counts);
  radixPass(scratchKeys, scratchValues, keys, values, 11, counts);
  radixPass(keys, values, scratchKeys, scratchValues, 22, counts);
  keys.set(scratchKeys);
  values.set(scratchValues);
}

/** One counting-sort pass on the 11 bits of the keys from `shift` up. */
function radixPass(
  fromKeys: Uint32Array, fromValues: Uint32Array, toKeys: Uint32Array, toValues: Uint32Array,
  shift: number, counts: Uint32Array,
): void {
  const n = fromKeys.length;
  counts.fill(0);
  for (let i = 0; i < n; i++) counts[(fromKeys[i]! >>> shift) & 2047]!++;
  let sum = 0;
  for (let d = 0; d < 2048; d++) {
    const c = counts[d]!;
    counts[d] = sum;
    sum += c;
  }
  for (let i = 0; i < n; i++) {
    const at = counts[(fromKeys[i]! >>> shift) & 2047]!++;
    toKeys[at] = fromKeys[i]!;
    toValues[at] = fromValues[i]!;
  }
}

function validWeight(e: EndpointState): number {
  const w = e.weight;
  return w > 0 && w < Infinity ? w : 1;
}

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixBlock(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixState(h: number, k: number): number {
  h ^= mixBlock(k);
  return (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
}

function finish(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3 x86_32 of the 4 little-endian bytes of `j`, with `seed`. */
function pointHash(seed: number, j: number): number {
  return finish(mixState(seed, j), 4);
}

/**
 * Where {@link murmur3Into} leaves its result: a 32-bit hash returned from a call that is not
 * inlined is boxed on the heap (it does not fit a small integer); read from here it is not.
 */
const HASH = new Uint32Array(1);

/**
 * MurmurHash3 x86_32 (Austin Appleby, public domain) of the UTF-8 encoding of `text`, computed
 * without allocating; lone surrogates count as U+FFFD, as `TextEncoder` encodes them. Fast,
 * well mixed, and equal to what other MurmurHash3 implementations give for the same bytes.
 *
 * @example
 * murmur3('hello'); // 0x248bfa47
 */
export function murmur3(text: string, seed = 0): number {
  murmur3Into(text, seed);
  return HASH[0]!;
}

/** {@link murmur3}, leaving the result in `HASH[0]`. */
function murmur3Into(text: string, seed: number): void {
  let h = seed | 0;
  let block = 0; // bytes not yet mixed, little-endian
  let filled = 0; // bits of `block` in use
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    // `bytes` holds the UTF-8 encoding of one code point, first byte lowest.
    let bytes: number;
    let count: number;
    if (c < 0x80) {
      bytes = c;
      count = 1;
    } else if (c < 0x800) {
      bytes = (0xc0 | (c >> 6)) | ((0x80 | (c & 0x3f)) << 8);
      count = 2;
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const low = c <= 0xdbff && i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
        if (low >= 0xdc00 && low <= 0xdfff) {
          i++;
          c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        } else {
          c = 0xfffd;
        }
      }
      if (c < 0x10000) {
        bytes = (0xe0 | (c >> 12)) | ((0x80 | ((c >> 6) & 0x3f)) << 8) | ((0x80 | (c & 0x3f)) << 16);
        count = 3;
      } else {
        bytes = (0xf0 | (c >> 18)) | ((0x80 | ((c >> 12) & 0x3f)) << 8) | ((0x80 | ((c >> 6) & 0x3f)) << 16) | ((0x80 | (c & 0x3f)) << 24);
        count = 4;
      }
    }
    length += count;
    for (; count > 0; count--, bytes >>>= 8) {
      block |= (bytes & 0xff) << filled;
      filled += 8;
      if (filled === 32) {
        h = mixState(h, block);
        block = 0;
        filled = 0;
      }
    }
  }
  if (filled !== 0) h ^= mixBlock(block);
  HASH[0] = finish(h, length);
}
