// The ring hash picker: a call's key picks the owner of its point on the ring (ring-layout.ts
// keeps which endpoints own which points).
import type { EndpointState } from '../endpoints/endpoint.js';
import { markKeyWalker, markLevelPickers, PASS, TAKE, type KeyWalker, type LevelPickers, type Picker, type PickRequest } from './picker.js';
import { uniformPicker } from './random.js';
import { pickAtRandom } from './p2c.js';
import type { RandomBits } from './random-bits.js';
import { HASH, murmur3, murmur3Into } from './murmur3.js';
import { RingLayout } from './ring-layout.js';
import { hashed, keyText } from './ring-keys.js';

/** Points a keyed walk passes for slow start before it takes the first one passed (see `Ring.walk`). */
const MAX_PASSES = 64;

/**
 * The picker {@link ringHash} makes (see there); its points are laid out by {@link RingLayout}.
 *
 * @example
 * const picker = new Ring(1024, murmur3, xorshift32());
 * picker.update(endpoints);
 * picker.pick({ key: 'user-42', tried: [] });
 */
export class Ring implements Picker, KeyWalker, LevelPickers {
  readonly name = 'ringHash';
  readonly #hash: (text: string) => number;
  readonly #bits: RandomBits;
  /** Which endpoints own which points: its `owners` are the current endpoints, each once, for calls without a key and for counting untried ones. */
  readonly #layout: RingLayout;

  constructor(ringSize: number, hash: (text: string) => number, bits: RandomBits) {
    this.#layout = new RingLayout(ringSize, hash);
    this.#hash = hash;
    this.#bits = bits;
    markKeyWalker(this);
    markLevelPickers(this);
  }

  /**
   * Internal: what picks a call without a key in one failover level (see {@link LevelPickers}):
   * such a call goes to a random endpoint, so a uniform random picker of the level's own. Keyed
   * calls never use it: they walk this ring (health/pick-shares.ts).
   */
  forLevel(): Picker {
    return uniformPicker(this.#bits);
  }

  get points(): number {
    return this.#layout.size;
  }

  update(endpoints: readonly EndpointState[]): void {
    this.#layout.update(endpoints);
  }

  pick({ key, tried }: PickRequest): EndpointState | undefined {
    const owners = this.#layout.owners;
    if (owners.list.length === 0) return undefined;
    const hash = this.keyHash(key);
    return hash === undefined ? pickAtRandom(owners, tried, this.#bits) : this.walk(hash, tried);
  }

  /** The hash placing a call's key on the ring; `undefined` for a call without a key. Internal, with `walk` (see {@link KeyWalker}). */
  keyHash(key: unknown): number | undefined {
    const text = keyText(key);
    if (text === undefined) return undefined;
    if (this.#hash !== murmur3) return hashed(this.#hash, text);
    murmur3Into(text, 0);
    return HASH[0]!;
  }

  /**
   * The pick for a key of hash `target`: the owner of its point or, on a
   * retry, of the next point of an untried endpoint (every client walks the same way, so a
   * key's fallback endpoint is as stable as its first choice). With `accept` (slow start and
   * failover steering the pick), the walk also goes past endpoints it does not take; those it
   * passes (slow start) are counted, and after MAX_PASSES points the first one passed is taken,
   * so a key every endpoint of its level passes (all of them ramping) still gets its usual one
   * without a walk round the ring. A full turn without a take (the ring lags the levels after
   * an update that threw) ends in the plain pick. `undefined` with no candidates.
   */
  walk(target: number, tried: readonly EndpointState[], accept?: (e: EndpointState) => number): EndpointState | undefined {
    const layout = this.#layout;
    if (layout.owners.list.length === 0) return undefined;
    const ring = layout.ring;
    const size = ring.size;
    const slots = layout.slots;
    let k = ring.firstAtOrAfter(target);
    if (accept === undefined && (tried.length === 0 || !tried.includes(slots[ring.owners[k]!]!))) return slots[ring.owners[k]!]!;
    const skipTried = tried.length !== 0 && layout.owners.untried(tried) !== 0;
    let passed: EndpointState | undefined;
    let passes = 0;
    for (let s = 0; s < size; s++, k = k + 1 === size ? 0 : k + 1) {
      const e = slots[ring.owners[k]!]!;
      if (skipTried && tried.includes(e)) continue;
      const verdict = accept === undefined ? TAKE : accept(e);
      if (verdict === TAKE) return e;
      if (verdict === PASS) {
        passed ??= e;
        if (++passes === MAX_PASSES) break;
      }
    }
    return passed ?? this.walk(target, tried);
  }
}
