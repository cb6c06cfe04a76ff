import { selfContainedUnless } from './check.js';
import type { EndpointState } from '../endpoints/endpoint.js';
import { markLevelPickers, type LevelPickers, type Picker, type PickRequest, type RandomSource } from './picker.js';
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
 * endpoint set changes the rotation goes on at the endpoint that was due (or, if it left, the
 * next one after it that stayed), instead of restarting at the first endpoint, which would
 * overload it under frequent changes, or keeping a position that now holds another endpoint,
 * which would skip or repeat one. A retry skips endpoints the call already tried. O(1) per pick
 * (O(|tried|²) on a retry), no allocation; O(n) per update.
 *
 * @example
 * const client = createClient({ name: 'users', discovery: ['10.0.0.1:80', '10.0.0.2:80'], picker: roundRobin() });
 */
export function roundRobin(options?: RoundRobinOptions): Picker {
  const opts = optionsObject('roundRobin', options, KEYS);
  return selfContainedUnless(new RoundRobinPicker(randomBits('roundRobin', opts)), opts);
}

/** {@link roundRobin}'s picker (a class, so that every client runs the same, inlinable `pick`). */
class RoundRobinPicker implements Picker, LevelPickers {
  readonly name = 'roundRobin';
  readonly #bits: RandomBits;
  #list: readonly EndpointState[] = [];
  /** The index of the next pick; -1 until the first non-empty set (where a random start is drawn). */
  #next = -1;

  constructor(bits: RandomBits) {
    this.#bits = bits;
    markLevelPickers(this);
  }

  update(endpoints: readonly EndpointState[]): void {
    const before = this.#list;
    this.#list = endpoints;
    if (endpoints.length === 0) return;
    this.#next = this.#next < 0 ? draw(this.#bits, endpoints.length) : dueIndex(before, this.#next, endpoints);
  }

  /** Internal: a rotation of its own for one failover level (see {@link LevelPickers}), from a random start. */
  forLevel(): Picker {
    return new RoundRobinPicker(this.#bits);
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

/**
 * Where the rotation goes on in `after`: at `before[due]`, the endpoint that was due, or the first
 * one after it (in `before`'s order) that is still there; the same position modulo the new size
 * when none is.
 */
function dueIndex(before: readonly EndpointState[], due: number, after: readonly EndpointState[]): number {
  const n = before.length;
  if (n === 0) return due % after.length;
  const at = after.indexOf(before[due % n]!);
  if (at >= 0) return at;
  // The due one left: look the ones after it up in an index of the new set (one pass each).
  const index = new Map<EndpointState, number>();
  for (let i = 0; i < after.length; i++) index.set(after[i]!, i);
  for (let s = 1; s < n; s++) {
    const i = index.get(before[(due + s) % n]!);
    if (i !== undefined) return i;
  }
  return due % after.length;
}
