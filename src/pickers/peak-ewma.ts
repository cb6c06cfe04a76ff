import { selfContainedUnless } from './check.js';
import type { EndpointState } from '../endpoints/endpoint.js';
import { ConfigError } from '../errors.js';
import { markLevelPickers, markRampScaler, type LevelPickers, type Picker, type PickRequest, type RampScaler, type RandomSource } from './picker.js';
import type { Table } from '../config/keys.js';
import { functionOption, optionsObject, pickerKeys } from './options.js';
import { Candidates, pickLeastLoaded, type LoadMeasure } from './p2c.js';
import { drawTwo, randomBits, type RandomBits } from './random-bits.js';

/** Options of {@link peakEwma}. */
export interface PeakEwmaOptions extends RandomSource {
  /**
   * Time constant of the latency EWMA in ms: how long a slow sample keeps weighing on an
   * endpoint. Default 10 000 (Finagle `p2cPeakEwma` decayTime 10 s; Linkerd "Beyond Round Robin").
   * The client uses it for the estimate it keeps on every endpoint (`Picker.latencyDecay`).
   */
  decay?: number | undefined;
  /** Source of uniform numbers in [0, 1) for drawing the two candidates. Default: a fast generator seeded from `Math.random`. */
  random?: (() => number) | undefined;
  /** Monotonic clock in ms, the one the client records latency with. Default `performance.now()`. */
  now?: (() => number) | undefined;
}

const KEYS = pickerKeys('peakEwma', { decay: true, random: true, now: true } satisfies Table<PeakEwmaOptions>);

/**
 * What an endpoint with requests pending but no latency sample yet costs: larger than any
 * real `latency × (inflight + 1)`, so a new endpoint that hangs on its first request is not
 * sent more. Finagle uses `Long.MaxValue >> 16` (ns); any such bound works in ms too.
 */
const PENALTY = 2 ** 47;

/**
 * The default picker: power of two choices over peak-EWMA latency (Finagle `p2cPeakEwma`,
 * Linkerd "Beyond Round Robin"). Two random untried candidates are compared on
 * `latency estimate × (inflight + 1)` and the cheaper one is used, so a slow or overloaded
 * endpoint is avoided on the very next pick while every endpoint is still sampled now and then.
 * An endpoint with no sample yet costs 0 — it gets probed — unless requests are already
 * pending on it, when it costs a large penalty plus its in-flight count. The load is divided by
 * the endpoint's weight.
 * O(1) per pick, no allocation.
 *
 * @example
 * const client = createClient({ name: 'users', discovery: ['10.0.0.1:80', '10.0.0.2:80'], picker: peakEwma({ decay: 5_000 }) });
 */
export function peakEwma(options?: PeakEwmaOptions): Picker {
  const opts = optionsObject('peakEwma', options, KEYS);
  const bits = randomBits('peakEwma', opts);
  const ownClock = functionOption<(() => number) | undefined>('peakEwma', opts, 'now', 'must be a function returning ms', undefined);
  const decay = opts['decay'] ?? 10_000;
  if (typeof decay !== 'number' || !Number.isFinite(decay) || decay <= 0) {
    throw new ConfigError('bulwark', 'peakEwma.decay', 'must be a finite number of ms > 0', decay);
  }
  return selfContainedUnless(new PeakEwmaPicker(decay, bits, ownClock), opts);
}

/** An endpoint's load at `t`: its latency estimate × (inflight + 1), divided by its weight. */
function loadAt(e: EndpointState, t: number): number {
  const cost = e.latency.estimate(t);
  // Dividing by weight lets weights (and later slow start) shift load as in Envoy's least_request.
  return (cost === 0 && e.inflight > 0 ? PENALTY + e.inflight : cost * (e.inflight + 1)) / e.weight;
}

/** {@link peakEwma}'s picker (a class, so that every client runs the same, inlinable `pick`). */
class PeakEwmaPicker implements Picker, LoadMeasure, LevelPickers, RampScaler {
  readonly name = 'peakEwma';
  readonly latencyDecay: number;
  readonly #candidates = new Candidates();
  readonly #bits: RandomBits;
  readonly #ownClock: (() => number) | undefined;
  /** The time of the pick in progress on the general path, for {@link load}. */
  #t = 0;

  constructor(decay: number, bits: RandomBits, ownClock: (() => number) | undefined) {
    this.latencyDecay = decay;
    this.#bits = bits;
    this.#ownClock = ownClock;
    markLevelPickers(this);
    markRampScaler(this);
  }

  /** Internal: a picker of its own for one failover level (see {@link LevelPickers}), sharing the random source and clock. */
  forLevel(): Picker {
    return new PeakEwmaPicker(this.latencyDecay, this.#bits, this.#ownClock);
  }

  update(endpoints: readonly EndpointState[]): void {
    this.#candidates.update(endpoints);
  }

  pick(request: PickRequest): EndpointState | undefined {
    const tried = request.tried;
    // The client's reading of the clock for this attempt, unless this picker was given its own clock.
    const own = this.#ownClock;
    const t = own !== undefined ? own() : request.now !== undefined ? request.now : performance.now();
    const list = this.#candidates.list;
    const m = list.length;
    // The usual pick, a first attempt: the same two candidates from the same draw as
    // pickLeastLoaded, without its general bookkeeping for tried endpoints and more choices.
    if (tried.length === 0 && m > 2 && m <= 1024) {
      const pair = drawTwo(this.#bits, m);
      const a = list[pair >> 11]!;
      const b = list[pair & 2047]!;
      // loadAt(b) < loadAt(a), multiplied out by both weights, with one decay (PeakEwma.lowerThan).
      // An endpoint without a sample yet needs loadAt's probe and penalty rules.
      const la = a.latency;
      const lb = b.latency;
      if (la.sampled && lb.sampled) return lb.lowerThan((b.inflight + 1) * a.weight, la, (a.inflight + 1) * b.weight, t) ? b : a;
      return loadAt(b, t) < loadAt(a, t) ? b : a;
    }
    this.#t = t;
    return pickLeastLoaded(this.#candidates, tried, this.#bits, this, 2);
  }

  load(e: EndpointState): number {
    return loadAt(e, this.#t);
  }

  /**
   * Internal, only while slow start ramps an endpoint (see {@link RampScaler}): the pick of the
   * general path with each candidate's weight multiplied by `factor(e)`, so a ramping endpoint
   * must look 1 / factor times less loaded to win. A measure object of its own: `load`, on the
   * path of every retry, reads nothing more.
   */
  pickScaled(request: PickRequest, factor: (e: EndpointState) => number): EndpointState | undefined {
    const own = this.#ownClock;
    const t = own !== undefined ? own() : request.now !== undefined ? request.now : performance.now();
    return pickLeastLoaded(this.#candidates, request.tried, this.#bits, new ScaledLoad(t, factor), 2);
  }
}

/** {@link loadAt} with each endpoint's weight scaled by a factor (slow start's ramp): see `PeakEwmaPicker.pickScaled`. */
class ScaledLoad implements LoadMeasure {
  readonly #t: number;
  readonly #factor: (e: EndpointState) => number;

  constructor(t: number, factor: (e: EndpointState) => number) {
    this.#t = t;
    this.#factor = factor;
  }

  load(e: EndpointState): number {
    const f = this.#factor(e);
    const load = loadAt(e, this.#t);
    if (f >= 1) return load;
    // A factor of 0 (minWeightPercent 0 at the ramp's start) puts the endpoint last, even
    // unsampled (whose load is 0: 0 / 0 would be NaN, which no comparison orders).
    return f > 0 ? load / f : Infinity;
  }
}
