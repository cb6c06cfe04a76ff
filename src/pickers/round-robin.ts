import type { EndpointState } from '../endpoints/endpoint.js';
import type { Picker, RandomSource } from './picker.js';
import { optionsObject } from './options.js';
import { draw, randomBits } from './random-bits.js';

/** Options of {@link roundRobin}. */
export interface RoundRobinOptions extends RandomSource {
  /**
   * Chooses where the rotation starts, once, at the first endpoint set. Default: a fast generator seeded from `Math.random`:
   * a random start, as Envoy's round robin does, so clients started together do not all send
   * their first call to the same endpoint.
   */
  random?: (() => number) | undefined;
}

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
  const bits = randomBits('roundRobin', optionsObject('roundRobin', options));
  let list: readonly EndpointState[] = [];
  // Index of the next endpoint in turn; -1 until the first non-empty set draws the start.
  let next = -1;
  return {
    name: 'roundRobin',
    update(endpoints: readonly EndpointState[]): void {
      list = endpoints;
      if (endpoints.length === 0) return;
      next = next < 0 ? draw(bits, endpoints.length) : next % endpoints.length;
    },
    pick({ tried }): EndpointState | undefined {
      const n = list.length;
      if (n === 0) return undefined;
      let i = next >= 0 && next < n ? next : 0;
      if (tried.length !== 0) {
        // At most |tried| + 1 steps while an untried endpoint exists; a full turn means
        // every candidate was tried, and then the one in turn is as good as any.
        for (let s = 0; s < n && tried.includes(list[i]!); s++) i = i + 1 === n ? 0 : i + 1;
      }
      next = i + 1 === n ? 0 : i + 1;
      return list[i];
    },
  };
}
