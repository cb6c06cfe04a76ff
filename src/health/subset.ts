import type { LiveEndpoint } from '../endpoints/endpoint.js';
import { murmur3 } from '../pickers/ring-hash.js';

/** Deterministic subsetting's settings. */
export interface SubsetOptions {
  /** Endpoints each client uses. */
  readonly size: number;
  /** This client's number among its peers (0, 1, 2, …): clients with distinct ids get balanced subsets. */
  readonly clientId: number;
}

/**
 * Deterministic subsetting (Google SRE book, "Load Balancing in the Datacenter"): each client
 * talks to `size` endpoints only, so that N clients × M endpoints do not need N × M
 * connections, and the subsets are balanced: clients are grouped in rounds of `M / size`; each
 * round shuffles the endpoints with its own seed and hands consecutive slices to its clients,
 * so every round covers every endpoint once and every endpoint serves the same number of
 * clients (±1 round).
 *
 * Each priority is subset on its own, so that every client keeps endpoints of every priority
 * (one subset drawn over all of them could hold no priority-0 endpoint, and send that client's
 * every call to a standby while the primary is healthy): the `size` places are shared between
 * the priorities in proportion to their endpoints, at least one each (so with more priorities
 * than `size`, one per priority), and each priority's subset is drawn as above over its own
 * endpoints, with its own rounds. With one priority this is the plain scheme.
 *
 * Removal is gentle: when endpoints leave, a client keeps the rest of its subset and takes the
 * endpoints of its round's order that follow its own slice (wrapping round) in their place, so
 * only the clients that used a removed endpoint change and a round's replacements spread. When endpoints are added, subsets are computed afresh (new endpoints get
 * their share); so is a priority's when its number of places changes.
 */
export class Subsetter {
  readonly #options: SubsetOptions;
  /** Each priority's subset so far, by priority. */
  #levels = new Map<number, LevelSubset>();

  constructor(options: SubsetOptions) {
    this.#options = options;
  }

  /** This client's subset of `all`. */
  subset(all: readonly LiveEndpoint[]): readonly LiveEndpoint[] {
    const { size, clientId } = this.#options;
    const byPriority = new Map<number, LiveEndpoint[]>();
    for (const e of all) {
      const members = byPriority.get(e.priority);
      if (members === undefined) byPriority.set(e.priority, [e]);
      else members.push(e);
    }
    const places = shareSize(size, byPriority);
    const levels = new Map<number, LevelSubset>();
    const chosen = new Set<LiveEndpoint>();
    for (const [priority, members] of byPriority) {
      const level = this.#levels.get(priority) ?? new LevelSubset();
      levels.set(priority, level);
      for (const e of level.subset(members, places.get(priority)!, clientId)) chosen.add(e);
    }
    // Priorities no endpoint has any more are forgotten (back later, they start afresh).
    this.#levels = levels;
    // In the registry's order, so pickers see a stable list.
    return all.filter((e) => chosen.has(e));
  }
}

/**
 * How many of `size` places each priority of `byPriority` gets: in proportion to its endpoints,
 * at least one each and at most all of them; a place goes, one at a time, to the priority
 * furthest below its proportional share (the more preferred one on a tie).
 */
function shareSize(size: number, byPriority: ReadonlyMap<number, readonly LiveEndpoint[]>): Map<number, number> {
  const places = new Map<number, number>();
  let total = 0;
  for (const [priority, members] of byPriority) {
    places.set(priority, 1);
    total += members.length;
  }
  const priorities = [...byPriority.keys()].sort((a, b) => a - b);
  for (let left = Math.min(size, total) - priorities.length; left > 0; left--) {
    let best: number | undefined;
    let bestGap = -Infinity;
    for (const p of priorities) {
      const n = byPriority.get(p)!.length;
      const have = places.get(p)!;
      if (have >= n) continue;
      const gap = (size * n) / total - have;
      if (gap > bestGap) {
        best = p;
        bestGap = gap;
      }
    }
    if (best === undefined) break;
    places.set(best, places.get(best)! + 1);
  }
  return places;
}

/** One priority's subset (see {@link Subsetter}): the plain deterministic scheme over its endpoints. */
class LevelSubset {
  #subset: readonly LiveEndpoint[] = [];
  #known = new Set<string>();
  #size = 0;

  /** This client's `size` endpoints of `all` (all of them when there are no more). */
  subset(all: readonly LiveEndpoint[], size: number, clientId: number): readonly LiveEndpoint[] {
    const resized = size !== this.#size;
    this.#size = size;
    if (all.length <= size) return this.#keep(all, all);
    const perRound = Math.floor(all.length / size);
    const round = Math.floor(clientId / perRound);
    // Each endpoint's rank is hashed once, not once per comparison.
    const order = all
      .map((e) => ({ e, rank: murmur3(`${round}:${e.id}`) }))
      .sort((a, b) => a.rank - b.rank || (a.e.id < b.e.id ? -1 : 1))
      .map((r) => r.e);
    const added = all.some((e) => !this.#known.has(e.id));
    const slot = clientId % perRound;
    if (added || resized || this.#subset.length === 0) return this.#keep(order.slice(slot * size, slot * size + size), all);
    // Only removals: keep the survivors, fill the gaps from this round's order starting right
    // after this client's slice (wrapping round), so the clients of a round refill from
    // different endpoints rather than all from the head of the order.
    const present = new Set(all);
    const kept = this.#subset.filter((e) => present.has(e));
    // A set, not kept.includes: O(endpoints) rather than O(size²) for a large subset.
    const have = new Set(kept);
    const start = (slot + 1) * size;
    for (let i = 0; kept.length < size && i < order.length; i++) {
      const e = order[(start + i) % order.length]!;
      if (!have.has(e)) kept.push(e);
    }
    return this.#keep(kept, all);
  }

  #keep(subset: readonly LiveEndpoint[], all: readonly LiveEndpoint[]): readonly LiveEndpoint[] {
    this.#subset = subset;
    this.#known = new Set(all.map((e) => e.id));
    return subset;
  }
}

/**
 * Marks which of `all` (discovery's endpoints) are in `pool`, this client's new subset: the one
 * place subset membership is worked out; {@link forgetLeft}, {@link leftSubset} and the attempt
 * stage (an attempt is not sent to an endpoint that left) read `inSubset`.
 *
 * @example
 * markSubset(registry.list, pool);
 */
export function markSubset(all: readonly LiveEndpoint[], pool: readonly LiveEndpoint[]): void {
  for (const e of all) e.inSubset = false;
  for (const e of pool) e.inSubset = true;
}

/**
 * Drops the health of endpoints of `before` (the previous subset) that discovery removed or that
 * left this client's subset while discovery kept them ({@link markSubset} ran): they are no
 * longer this client's to judge, and back in a later subset one starts afresh.
 *
 * @example
 * forgetLeft(previousPool);
 */
export function forgetLeft(before: readonly LiveEndpoint[]): void {
  for (const e of before) if (e.retired || !e.inSubset) e.health = undefined;
}

/**
 * The endpoints of `before` (the previous subset) that discovery still lists but this client's
 * new subset left out ({@link markSubset} ran): their pools and channels are released as a
 * removed endpoint's are.
 *
 * @example
 * const left = leftSubset(previousPool);
 */
export function leftSubset(before: readonly LiveEndpoint[]): LiveEndpoint[] {
  return before.filter((e) => !e.retired && !e.inSubset);
}
