import { selfContainedUnless } from './check.js';
import type { EndpointState } from '../endpoints/endpoint.js';
import { markLevelPickers, type LevelPickers, type Picker, type PickRequest, type RandomSource } from './picker.js';
import type { Table } from '../config/keys.js';
import { optionsObject, pickerKeys } from './options.js';
import { Candidates, pickAtRandom } from './p2c.js';
import { randomBits, type RandomBits } from './random-bits.js';

/** Options of {@link random}. */
export interface RandomOptions extends RandomSource {
  /** Source of uniform numbers in [0, 1). Default: a fast generator seeded from `Math.random`; inject a seeded one for deterministic tests. */
  random?: (() => number) | undefined;
}

const KEYS = pickerKeys('random', { random: true } satisfies Table<RandomOptions>);

/**
 * Uniform random choice, weights ignored; a retry chooses uniformly among the endpoints the
 * call has not tried yet. Needs no coordination and no state, which makes it the baseline the
 * load-aware pickers are measured against. O(1) per pick (O(|tried|²) on a retry), no allocation.
 *
 * @example
 * const client = createClient({ name: 'users', discovery: ['10.0.0.1:80', '10.0.0.2:80'], picker: random() });
 */
export function random(options?: RandomOptions): Picker {
  const opts = optionsObject('random', options, KEYS);
  return selfContainedUnless(new RandomPicker(randomBits('random', opts)), opts);
}

/**
 * Internal: a uniform random picker drawing from `bits`, what ring hash picks with for a call
 * without a key, in one failover level (see `Ring.forLevel`).
 */
export function uniformPicker(bits: RandomBits): Picker {
  return new RandomPicker(bits);
}

/** {@link random}'s picker (a class, so that every client runs the same, inlinable `pick`). */
class RandomPicker implements Picker, LevelPickers {
  readonly name = 'random';
  readonly #candidates = new Candidates();
  readonly #bits: RandomBits;

  constructor(bits: RandomBits) {
    this.#bits = bits;
    markLevelPickers(this);
  }

  /** Internal: a picker of its own for one failover level (see {@link LevelPickers}). */
  forLevel(): Picker {
    return new RandomPicker(this.#bits);
  }

  update(endpoints: readonly EndpointState[]): void {
    this.#candidates.update(endpoints);
  }

  pick(request: PickRequest): EndpointState | undefined {
    return pickAtRandom(this.#candidates, request.tried, this.#bits);
  }
}
