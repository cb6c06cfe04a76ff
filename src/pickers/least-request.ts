import { selfContainedUnless } from './check.js';
import type { EndpointState } from '../endpoints/endpoint.js';
import { ConfigError } from '../errors.js';
import { markLevelPickers, type LevelPickers, type Picker, type PickRequest, type RandomSource } from './picker.js';
import type { Table } from '../config/keys.js';
import { optionsObject, pickerKeys } from './options.js';
import { Candidates, pickLeastLoaded, type LoadMeasure } from './p2c.js';
import { randomBits, type RandomBits } from './random-bits.js';
import { WeightedDraw } from './weighted-draw.js';

/** Options of {@link leastRequest}. */
export interface LeastRequestOptions extends RandomSource {
  /** Source of uniform numbers in [0, 1) for drawing the candidates. Default: a fast generator seeded from `Math.random`. */
  random?: (() => number) | undefined;
  /**
   * How many random candidates are compared per pick, an integer ≥ 2. Default 2 (Envoy
   * `least_request` `choice_count`; two choices already give an exponential improvement over
   * one, more choices herd toward the same few endpoints).
   */
  choices?: number | undefined;
}

const KEYS = pickerKeys('leastRequest', { random: true, choices: true } satisfies Table<LeastRequestOptions>);

/** A bound that makes a typo such as 2000 fail loudly; past a few choices P2C turns into herding. */
const MAX_CHOICES = 100;

/**
 * Least request by power of d choices: draws `choices` random candidates not yet tried and
 * sends the attempt to the one with the fewest requests in flight (Envoy `least_request`).
 * With unequal weights the candidates are drawn in proportion to their weight and compared on
 * `inflight / weight`, the first drawn winning a tie: idle endpoints then get calls in
 * proportion to their weight, as Envoy's weighted least request (EDF on `weight / (active + 1)`)
 * gives them, and under load requests in flight settle in proportion to weight. (Comparing
 * `(inflight + 1) / weight` between uniform draws, as before, sent a weight-1 endpoint next to
 * weight-3 ones no call while nothing was in flight.) O(1) per pick, no allocation; with
 * unequal weights an O(n) table is built on the first pick after an update.
 *
 * @example
 * const client = createClient({ name: 'users', discovery: ['10.0.0.1:80', '10.0.0.2:80'], picker: leastRequest({ choices: 2 }) });
 */
export function leastRequest(options?: LeastRequestOptions): Picker {
  const opts = optionsObject('leastRequest', options, KEYS);
  const bits = randomBits('leastRequest', opts);
  const choices = opts['choices'] ?? 2;
  if (typeof choices !== 'number' || !Number.isInteger(choices) || choices < 2 || choices > MAX_CHOICES) {
    throw new ConfigError('bulwark', 'leastRequest.choices', `must be an integer ≥ 2 (at most ${MAX_CHOICES})`, choices);
  }
  return selfContainedUnless(new LeastRequestPicker(bits, choices), opts);
}

/** {@link leastRequest}'s picker (a class, so that every client runs the same, inlinable `pick`). */
class LeastRequestPicker implements Picker, LoadMeasure, LevelPickers {
  readonly name = 'leastRequest';
  readonly #candidates = new Candidates();
  readonly #bits: RandomBits;
  readonly #choices: number;
  /** Draws in proportion to weight; undefined while every candidate has the same weight. */
  #weighted: WeightedDraw | undefined;

  constructor(bits: RandomBits, choices: number) {
    this.#bits = bits;
    this.#choices = choices;
    markLevelPickers(this);
  }

  /** Internal: a picker of its own for one failover level (see {@link LevelPickers}), with the same options. */
  forLevel(): Picker {
    return new LeastRequestPicker(this.#bits, this.#choices);
  }

  update(endpoints: readonly EndpointState[]): void {
    this.#candidates.update(endpoints);
    this.#weighted = WeightedDraw.unlessEqual(endpoints);
  }

  pick(request: PickRequest): EndpointState | undefined {
    const weighted = this.#weighted;
    if (weighted !== undefined) {
      const e = weighted.leastLoaded(request.tried, this.#bits, this.#choices);
      // (Rarely, on a retry) the draws kept landing on tried candidates, the heavy ones tried
      // or every one: drawn by weight among the untried ones (among all once every one was).
      return e !== undefined ? e : weighted.leastLoadedUntried(request.tried, this.#bits, this.#choices);
    }
    // Equal weights: the weight is a common factor, so `inflight` alone decides, and the uniform
    // draws handle `tried` exactly.
    return pickLeastLoaded(this.#candidates, request.tried, this.#bits, this, this.#choices);
  }

  load(e: EndpointState): number {
    return e.inflight / e.weight;
  }
}
