import { selfContainedUnless } from './check.js';
import type { EndpointState } from '../endpoints/endpoint.js';
import type { Picker, PickRequest, RandomSource } from './picker.js';
import type { Table } from '../config/keys.js';
import { optionsObject, pickerKeys } from './options.js';
import { draw, randomBits, type RandomBits } from './random-bits.js';

/** Options of {@link roundRobin}. */
export interface RoundRobinOptions extends RandomSource {
  /**
   * Chooses where the rotation starts, once, at the first endpoint set. Default: a fast generator seeded from `Math.random`:
   * a random start, as Envoy's round robin does, so clients started together do not all send
   * their first call to the same endpoint.
   */
  random?: (() => number) | undefined;
}

const KEYS = pickerKeys('roundRobin', { random: true } satisfies Table<RoundRobinOptions>);

/**
 * Round robin: each attempt goes to the next candidate in turn, weights ignored. When the
 * endpoint set changes the rotation continues from the same position (modulo the new size)
 * instead of restarting at the first endpoint, which would overload it under frequent
 * changes. A retry skips endpoints the call already tried. O(1) per pick (O(|tried|²) on a
 * retry), no allocation.
 *
 * @example
 * const client = createClient({ name: 'users', discovery: ['10.0.0.1:80', '10.0.0.2:80'], picker: roundRobin() });
 */
export function roundRobin(options?: RoundRobinOptions): Picker {
  const opts = optionsObject('roundRobin', options, KEYS);
  return selfContainedUnless(new RoundRobinPicker(randomBits('roundRobin', opts)), opts);
}

/** {@link roundRobin}'s picker (a class, so that every client runs the same, inlinable `pick`). */
class RoundRobinPicker implements Picker {
  readonly name = 'roundRobin';
  readonly #bits: RandomBits;
  #list: readonly EndpointState[] = [];
  /** The index of the next pick; -1 until the first non-empty set (where a random start is drawn). */
  #next = -1;

  constructor(bits: RandomBits) {
    this.#bits = bits;
  }

  update(endpoints: readonly EndpointState[]): void {
    this.#list = endpoints;
    if (endpoints.length === 0) return;
    this.#next = this.#next < 0 ? draw(this.#bits, endpoints.length) : this.#next % endpoints.length;
  }

  pick(request: PickRequest): EndpointState | undefined {
    const list = this.#list;
    const n = list.length;
    if (n === 0) return undefined;
    const tried = request.tried;
    let i = this.#next >= 0 && this.#next < n ? this.#next : 0;
    if (tried.length !== 0) {
      // At most |tried| + 1 steps while an untried endpoint exists; a full turn means
      // every candidate was tried, and then the one in turn is as good as any.
      for (let s = 0; s < n && tried.includes(list[i]!); s++) i = i + 1 === n ? 0 : i + 1;
    }
    this.#next = i + 1 === n ? 0 : i + 1;
    return list[i];
  }
}
