import type { EndpointState } from '../endpoints/endpoint.js';
import type { Picker, RandomSource } from './picker.js';
import { optionsObject } from './options.js';
import { Candidates, pickAtRandom } from './p2c.js';
import { randomBits } from './random-bits.js';

/** Options of {@link random}. */
export interface RandomOptions extends RandomSource {
  /** Source of uniform numbers in [0, 1). Default: a fast generator seeded from `Math.random`; inject a seeded one for deterministic tests. */
  random?: (() => number) | undefined;
}

/**
 * Uniform random choice, weights ignored; a retry chooses uniformly among the endpoints the
 * call has not tried yet. Needs no coordination and no state, which makes it the baseline the
 * load-aware pickers are measured against. O(1) per pick (O(|tried|²) on a retry), no allocation.
 *
 * @example
 * const client = createClient({ name: 'users', discovery: ['10.0.0.1:80', '10.0.0.2:80'], picker: random() });
 */
export function random(options?: RandomOptions): Picker {
  const bits = randomBits('random', optionsObject('random', options));
  const candidates = new Candidates();
  return {
    name: 'random',
    update(endpoints: readonly EndpointState[]): void {
      candidates.update(endpoints);
    },
    pick({ tried }): EndpointState | undefined {
      return pickAtRandom(candidates, tried, bits);
    },
  };
}
