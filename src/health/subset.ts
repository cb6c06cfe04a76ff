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
 * Removal is gentle: when endpoints leave, a client keeps the rest of its subset and takes the
 * endpoints of its round's order that follow its own slice (wrapping round) in their place, so
 * only the clients that used a removed endpoint change and a round's replacements spread. When endpoints are added, subsets are computed afresh (new endpoints get
 * their share).
 */
export class Subsetter {
  readonly #options: SubsetOptions;
  #subset: readonly LiveEndpoint[] = [];
  #known = new Set<string>();

  constructor(options: SubsetOptions) {
    this.#options = options;
  }

  /** This client's subset of `all`. */
  subset(all: readonly LiveEndpoint[]): readonly LiveEndpoint[] {
    const { size, clientId } = this.#options;
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
    if (added || this.#subset.length === 0) return this.#keep(order.slice(slot * size, slot * size + size), all);
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
    // In the registry's order, so pickers see a stable list.
    const chosen = new Set(subset);
    return all.filter((e) => chosen.has(e));
  }
}

/**
 * Drops the health of endpoints in `before` but not in `pool` (they left this client's subset
 * while discovery kept them): they are no longer this client's to judge, and back in a later
 * subset one starts afresh.
 *
 * @example
 * forgetLeft(previousPool, subsetter.subset(registry.list));
 */
export function forgetLeft(before: readonly LiveEndpoint[], pool: readonly LiveEndpoint[]): void {
  const kept = new Set(pool);
  for (const e of before) if (!kept.has(e)) e.health = undefined;
}
