// The ring hash picker's layout: which endpoints own which points of the ring, updated in place
// as the endpoint list changes (ring.ts picks on it).
import type { EndpointState } from '../endpoints/endpoint.js';
import { Candidates } from './p2c.js';
import { murmur3, pointHash } from './murmur3.js';
import { RingPoints } from './ring-points.js';
import { hashed } from './ring-keys.js';

/** The seed of the second hash of an endpoint's id mixed into its points (any constant other than the first hash's 0). */
const MIX_SEED = 0x9747b28c;

/** Envoy's default `maximum_ring_size`. */
export const MAX_RING = 8_388_608;

/**
 * The points of the ring hash picker (`Ring`, ring.ts): `ringSize × weight` per endpoint (at least 1), all divided by
 * the smallest power of 2 that keeps the ring within MAX_RING. An update edits the points of
 * the endpoints that came, went or changed weight, and lays the ring anew only when that is cheaper.
 *
 * @example
 * const layout = new RingLayout(1024, murmur3);
 * layout.update(endpoints);
 * const owner = layout.slots[layout.ring.owners[layout.ring.firstAtOrAfter(hash)]!];
 */
export class RingLayout {
  readonly #ringSize: number;
  readonly #hash: (text: string) => number;
  /** The current endpoints, each once, for calls without a key and for counting untried ones. */
  readonly owners: Candidates = new Candidates();
  /**
   * Ring points name their endpoint by a small number, its slot, kept while it stays; a
   * removed endpoint's slot is reused. Per slot: the endpoint (undefined when free), its id's
   * hash (the seed of its points), the weight its points were counted for and how many it has,
   * the last update that listed it and where.
   */
  readonly slots: (EndpointState | undefined)[] = [];
  #seeds: number[] = [];
  /**
   * A second, independent 32-bit hash of each id, mixed into every point: ids whose hashes
   * collide (likely among 100 000 endpoints) would otherwise get the very same points, all of
   * them won by one of the two.
   */
  #mixes: number[] = [];
  #weights: number[] = [];
  #counts: number[] = [];
  #seen: number[] = [];
  #at: number[] = [];
  readonly #free: number[] = [];
  readonly #slotOf = new Map<EndpointState, number>();
  /** The last list given, and the slot of each of its entries. */
  #list: readonly EndpointState[] = [];
  #listSlots: readonly number[] = [];
  readonly ring: RingPoints = new RingPoints((slot) => this.slots[slot]!.id);
  /** Every endpoint's points are `ringSize × weight / #unit`: 1, or a power of 2 that fits the ring under MAX_RING. */
  #unit = 1;
  /** Σ ringSize × weight over the endpoints: the ring's size at unit 1, less rounding. */
  #raw = 0;
  #update = 0;

  constructor(ringSize: number, hash: (text: string) => number) {
    this.#ringSize = ringSize;
    this.#hash = hash;
  }

  /** Points on the ring. */
  get size(): number {
    return this.ring.size;
  }

  /** Lays out `endpoints` (in the order given; one listed twice counts once). */
  update(endpoints: readonly EndpointState[]): void {
    const update = ++this.#update;
    const before = this.#slotOf.size;
    const last = this.#list;
    const lastSlots = this.#listSlots;
    const owners: number[] = [];
    const listSlots: number[] = [];
    // Endpoints that are new or whose weight changed since their points were counted.
    const reweighed: number[] = [];
    let kept = 0;
    // Each endpoint is first looked for where the last list is expected to go on.
    let j = 0;
    for (let i = 0; i < endpoints.length; i++) {
      const e = endpoints[i]!;
      let slot: number | undefined;
      if (j < last.length && last[j] === e) {
        slot = lastSlots[j++]!;
      } else if (j + 1 < last.length && last[j + 1] === e) {
        slot = lastSlots[j + 1]!;
        j += 2;
      } else {
        slot = this.#slotOf.get(e);
        if (slot === undefined) slot = this.#allocate(e);
        else if (this.#seen[slot] !== update) j = this.#at[slot]! + 1;
      }
      listSlots.push(slot);
      if (this.#seen[slot] === update) continue; // listed twice
      if (this.#counts[slot]! > 0) kept++;
      this.#seen[slot] = update;
      this.#at[slot] = i;
      owners.push(slot);
      if (e.weight !== this.#weights[slot]) reweighed.push(slot);
    }
    // A copy: matching by position must not trust a caller that changes its array afterwards.
    this.#list = endpoints.slice();
    this.#listSlots = listSlots;
    const removed: number[] = [];
    if (kept < before) {
      for (let slot = 0; slot < this.slots.length; slot++) {
        if (this.slots[slot] !== undefined && this.#seen[slot] !== update && this.#counts[slot]! > 0) removed.push(slot);
      }
    }
    // The ring's size and raw size after the change, at the present unit.
    let total = this.ring.size;
    let raw = this.#raw;
    for (const slot of removed) {
      total -= this.#counts[slot]!;
      raw -= this.#rawOf(this.#weights[slot]!);
    }
    const counts = reweighed.map((slot) => {
      const count = this.#want(slot, this.#unit);
      total += count - this.#counts[slot]!;
      raw += this.#rawOf(this.slots[slot]!.weight) - (this.#counts[slot] === 0 ? 0 : this.#rawOf(this.#weights[slot]!));
      return count;
    });
    const unit = this.#unitFor(owners, total, raw);
    if (unit !== this.#unit || !this.#edit(reweighed, counts, removed)) {
      this.#unit = unit;
      this.#rebuild(owners);
    } else {
      this.#raw = raw;
    }
    for (const slot of removed) this.#release(slot);
    this.owners.update(owners.length === endpoints.length ? endpoints : owners.map((slot) => this.slots[slot]!));
  }

  /**
   * `ringSize × weight`, a weight that is not > 0 and finite counting as 1. Parsing bounds
   * weights (src/endpoints/parse.ts, at most 1e6), so this is at most ≈ 8.4e12; capped all the
   * same at the largest finite number, so that halving the counts always ends (see #unitFor).
   */
  #rawOf(weight: number): number {
    const raw = this.#ringSize * (weight > 0 && weight < Infinity ? weight : 1);
    return raw < Infinity ? raw : Number.MAX_VALUE;
  }

  /** Points of the endpoint in `slot` with every count divided by `unit`. */
  #want(slot: number, unit: number): number {
    return Math.max(1, Math.round(this.#rawOf(this.slots[slot]!.weight) / unit));
  }

  /**
   * The smallest power of 2 (from 1) by which every endpoint's `ringSize × weight` is divided
   * for the ring to fit under MAX_RING; only thousands of endpoints with a large `ringSize` need
   * more than 1, and halving every count keeps their proportions. `total` is the ring's size at
   * the present unit; the size at half of it is counted only when `raw` does not rule it out.
   */
  #unitFor(owners: readonly number[], total: number, raw: number): number {
    const n = owners.length;
    const fits = (size: number): boolean => size <= MAX_RING || size === n;
    const sizeAt = (unit: number): number => {
      let size = 0;
      for (const slot of owners) size += this.#want(slot, unit);
      return size;
    };
    let unit = this.#unit;
    if (fits(total)) {
      // Each count is at least raw / unit − ½, so a raw size well past the maximum cannot fit.
      while (unit > 1 && unit < Infinity && !(n < MAX_RING && raw / (unit / 2) - n / 2 > MAX_RING * 1.001) && fits(sizeAt(unit / 2))) unit /= 2;
    } else {
      // Defence in depth: a count that is not finite never fits, however large the unit; the
      // loop then stops once the unit itself is no longer finite (every count is then 1).
      do unit *= 2;
      while (!fits(sizeAt(unit)) && unit < Infinity);
    }
    return unit;
  }

  /**
   * Takes out the points of the removed endpoints and of those whose count went down, puts in
   * those of the new ones and of those whose count went up. False (nothing changed) when a
   * rebuild is cheaper.
   */
  #edit(reweighed: readonly number[], counts: readonly number[], removed: readonly number[]): boolean {
    const change = { removeHashes: [] as number[], removeOwners: [] as number[], addHashes: [] as number[], addOwners: [] as number[] };
    // Past about an eighth of the ring, placing points one by one costs more than laying them all anew.
    const limit = (this.ring.size >> 3) + 1024;
    const points = (slot: number, from: number, to: number, hashes: number[], owners: number[]): boolean => {
      if (to - from + change.removeHashes.length + change.addHashes.length > limit) return false;
      for (let j = from; j < to; j++) { hashes.push((pointHash(this.#seeds[slot]!, j) ^ this.#mixes[slot]!) >>> 0); owners.push(slot); }
      return true;
    };
    for (const slot of removed) if (!points(slot, 0, this.#counts[slot]!, change.removeHashes, change.removeOwners)) return false;
    for (let r = 0; r < reweighed.length; r++) {
      const slot = reweighed[r]!;
      const has = this.#counts[slot]!;
      const want = counts[r]!;
      const ok = want < has ? points(slot, want, has, change.removeHashes, change.removeOwners) : points(slot, has, want, change.addHashes, change.addOwners);
      if (!ok) return false;
    }
    if (!this.ring.edit(change)) return false;
    for (let r = 0; r < reweighed.length; r++) {
      this.#counts[reweighed[r]!] = counts[r]!;
      this.#weights[reweighed[r]!] = this.slots[reweighed[r]!]!.weight;
    }
    return true;
  }

  /** Lays every point anew: the first update, after the unit changed, or after a large change. */
  #rebuild(owners: readonly number[]): void {
    let total = 0;
    this.#raw = 0;
    for (const slot of owners) {
      const weight = this.slots[slot]!.weight;
      this.#weights[slot] = weight;
      this.#raw += this.#rawOf(weight);
      total += (this.#counts[slot] = this.#want(slot, this.#unit));
    }
    const hashes = new Uint32Array(total);
    const slots = new Uint32Array(total);
    let k = 0;
    for (const slot of owners) {
      // Point j of an endpoint is MurmurHash3 of the 4 bytes of j, seeded with the hash of its id,
      // xor a second hash of the id (see #mixes).
      const seed = this.#seeds[slot]!;
      const mix = this.#mixes[slot]!;
      for (let j = 0; j < this.#counts[slot]!; j++, k++) {
        hashes[k] = (pointHash(seed, j) ^ mix) >>> 0;
        slots[k] = slot;
      }
    }
    this.ring.rebuild(hashes, slots);
  }

  #allocate(e: EndpointState): number {
    // Hashed first: a custom hash that throws or answers nonsense leaves no slot half made.
    const seed = this.#hash === murmur3 ? murmur3(e.id) | 0 : hashed(this.#hash, e.id) | 0;
    const slot = this.#free.pop() ?? this.slots.length;
    this.slots[slot] = e;
    this.#seeds[slot] = seed;
    this.#mixes[slot] = murmur3(e.id, MIX_SEED) | 0;
    this.#weights[slot] = Number.NaN;
    this.#counts[slot] = 0;
    this.#seen[slot] = 0;
    this.#at[slot] = 0;
    this.#slotOf.set(e, slot);
    return slot;
  }

  #release(slot: number): void {
    this.#slotOf.delete(this.slots[slot]!);
    this.slots[slot] = undefined;
    this.#counts[slot] = 0;
    this.#free.push(slot);
  }
}
