// The points of a hash ring, kept sorted, with edits that cost what they change.

/** Stretches shorter than this are moved point by point rather than with `copyWithin`. */
const SHORT = 64;

/** One change to the ring: points to take out and points to put in, as (hash, owner) pairs. */
export interface RingEdit {
  readonly removeHashes: readonly number[];
  readonly removeOwners: readonly number[];
  readonly addHashes: readonly number[];
  readonly addOwners: readonly number[];
}

/**
 * A ring's points as two parallel typed arrays, `hashes` ascending and `owners` (small integers
 * naming endpoints), equal hashes in order of their owners' ids so that every client orders them
 * alike. The arrays may be longer than the ring (room to grow in place): `size` is its length.
 *
 * @example
 * const ring = new RingPoints((owner) => ids[owner]!);
 * ring.rebuild(Uint32Array.of(30, 10), Uint32Array.of(0, 1)); // hashes 10 (owner 1), 30 (owner 0)
 * ring.edit({ removeHashes: [10], removeOwners: [1], addHashes: [20], addOwners: [1] });
 */
export class RingPoints {
  hashes: Uint32Array = new Uint32Array(0);
  owners: Uint32Array = new Uint32Array(0);
  size = 0;
  readonly #idOf: (owner: number) => string;

  constructor(idOf: (owner: number) => string) {
    this.#idOf = idOf;
  }

  /** The index of the first point ≥ `target`, wrapping past the top of the ring to the first point. */
  firstAtOrAfter(target: number): number {
    const points = this.hashes;
    const size = this.size;
    let lo = 0;
    let hi = size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo === size ? 0 : lo;
  }

  /** Makes the ring these points, given in any order (the arrays are taken over). O(points). */
  rebuild(hashes: Uint32Array, owners: Uint32Array): void {
    radixSort(hashes, owners);
    // The sort is stable but the input order is arbitrary: runs of equal hashes go in id order.
    for (let k = 1; k < hashes.length; k++) {
      if (hashes[k] !== hashes[k - 1]) continue;
      let end = k + 1;
      while (end < hashes.length && hashes[end] === hashes[k]) end++;
      const run = Array.from(owners.subarray(k - 1, end)).sort((a, b) => this.#compareIds(a, b));
      owners.set(run, k - 1);
      k = end - 1;
    }
    this.hashes = hashes;
    this.owners = owners;
    this.size = hashes.length;
  }

  /**
   * Takes points out and puts points in: O((removed + added) · log points) to place them, then
   * one move of the points after the first change. Returns false, leaving the ring unchanged,
   * when a point to take out is not on it.
   */
  edit(change: RingEdit): boolean {
    const removals = this.#positions(change.removeHashes, change.removeOwners);
    if (removals === undefined) return false;
    // New points in ring order, each placed before the first point that follows it.
    const order = this.#ringOrder(change.addHashes, change.addOwners);
    const at = order.map((i) => this.#lowerBound(change.addHashes[i]!, change.addOwners[i]!));
    // Out first, closing the gaps; then each insertion place shifts left by the points removed before it.
    this.#remove(removals);
    for (let i = 0, r = 0; i < at.length; i++) {
      while (r < removals.length && removals[r]! < at[i]!) r++;
      at[i] = at[i]! - r;
    }
    this.#insert(at, order.map((i) => change.addHashes[i]!), order.map((i) => change.addOwners[i]!));
    return true;
  }

  /** Ascending positions of the given points, each found once; undefined if one is missing. */
  #positions(hashes: readonly number[], owners: readonly number[]): number[] | undefined {
    const taken = new Set<number>();
    for (let i = 0; i < hashes.length; i++) {
      const h = hashes[i]!;
      let k = this.#firstAtLeast(h);
      while (k < this.size && this.hashes[k] === h && (this.owners[k] !== owners[i] || taken.has(k))) k++;
      if (k === this.size || this.hashes[k] !== h) return undefined;
      taken.add(k);
    }
    return Array.from(Float64Array.from(taken).sort());
  }

  /** The indices of the points (hashes[i], owners[i]) in ring order. */
  #ringOrder(hashes: readonly number[], owners: readonly number[]): number[] {
    const n = hashes.length;
    if (n >= 2 ** 21) return hashes.map((_, i) => i).sort((a, b) => hashes[a]! - hashes[b]! || this.#compareIds(owners[a]!, owners[b]!));
    // Hash and index packed in one exactly representable double: a native numeric sort.
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = hashes[i]! * 2 ** 21 + i;
    keys.sort();
    const order = Array.from(keys, (key) => key % 2 ** 21);
    // Equal hashes (rare) go in id order.
    for (let k = 1; k < n; k++) {
      if (hashes[order[k]!] !== hashes[order[k - 1]!]) continue;
      let end = k + 1;
      while (end < n && hashes[order[end]!] === hashes[order[k]!]) end++;
      const run = order.slice(k - 1, end).sort((a, b) => this.#compareIds(owners[a]!, owners[b]!));
      order.splice(k - 1, run.length, ...run);
      k = end - 1;
    }
    return order;
  }

  #firstAtLeast(hash: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.hashes[mid]! < hash) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Where a point (hash, owner) goes: before the first point with a larger hash, or an equal hash and a larger id. */
  #lowerBound(hash: number, owner: number): number {
    let k = this.#firstAtLeast(hash);
    while (k < this.size && this.hashes[k] === hash && this.#compareIds(this.owners[k]!, owner) < 0) k++;
    return k;
  }

  #compareIds(a: number, b: number): number {
    const ia = this.#idOf(a);
    const ib = this.#idOf(b);
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  }

  /** Removes the points at `positions` (ascending), moving each stretch between them left. */
  #remove(positions: readonly number[]): void {
    if (positions.length === 0) return;
    const { hashes, owners } = this;
    let to = positions[0]!;
    for (let r = 0; r < positions.length; r++) {
      const from = positions[r]! + 1;
      const end = r + 1 < positions.length ? positions[r + 1]! : this.size;
      // Short stretches (many points out of a small ring) are cheaper moved one by one than by a call each.
      if (end - from < SHORT) {
        for (let k = from; k < end; k++, to++) { hashes[to] = hashes[k]!; owners[to] = owners[k]!; }
        continue;
      }
      hashes.copyWithin(to, from, end);
      owners.copyWithin(to, from, end);
      to += end - from;
    }
    this.size = to;
  }

  /** Inserts points before positions `at` (ascending, in the current ring), moving each stretch right. */
  #insert(at: readonly number[], hashes: readonly number[], owners: readonly number[]): void {
    const count = at.length;
    if (count === 0) return;
    const size = this.size + count;
    if (size > this.hashes.length) {
      // Room for more, so that a run of single additions does not copy the ring each time.
      const capacity = size + (size >> 3) + 64;
      const h = new Uint32Array(capacity);
      const o = new Uint32Array(capacity);
      h.set(this.hashes.subarray(0, this.size));
      o.set(this.owners.subarray(0, this.size));
      this.hashes = h;
      this.owners = o;
    }
    const ringHashes = this.hashes;
    const ringOwners = this.owners;
    let end = this.size;
    for (let i = count - 1; i >= 0; i--) {
      const k = at[i]!;
      if (end - k < SHORT) {
        for (let m = end - 1; m >= k; m--) { ringHashes[m + i + 1] = ringHashes[m]!; ringOwners[m + i + 1] = ringOwners[m]!; }
      } else {
        ringHashes.copyWithin(k + i + 1, k, end);
        ringOwners.copyWithin(k + i + 1, k, end);
      }
      ringHashes[k + i] = hashes[i]!;
      ringOwners[k + i] = owners[i]!;
      end = k;
    }
    this.size = size;
  }
}

/**
 * Stable LSD radix sort of `keys` (11 + 11 + 10 bits), carrying `values` along: O(n), where a
 * comparison sort of a million points blocks the event loop for over 100 ms.
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
