/** The brand of the client's estimates: a type only (nothing at run time), under a key no user's code can name. */
declare const made: unique symbol;

// Merged into the class below: the brand, declared here because a class may not declare a member
// with a computed key under isolatedDeclarations. An object of the user's cannot have it.
interface ReadOnlyEstimate {
  readonly [made]: true;
}

/**
 * What pickers and `stats()` readers see of an endpoint's latency estimate: the read side of
 * {@link LatencyEstimate}. A class, so that the type is nominal: an object of the user's cannot
 * pass for one of the client's estimates (`lowerThan` compares their insides).
 */
abstract class ReadOnlyEstimate {
  /** The estimate (ms) at `now`, decayed for the time since the last sample; 0 before any sample. */
  abstract estimate(now: number): number;
  /** Whether this estimate × `mine` is below `other`'s × `theirs` at `now` (see {@link LatencyEstimate.lowerThan}). */
  abstract lowerThan(mine: number, other: PeakEwma, theirs: number, now: number): boolean;
  /** Whether a sample above 0 ms was recorded (a fast failure's penalty is none). */
  abstract get sampled(): boolean;
}

/**
 * An endpoint's peak-EWMA latency estimate (`endpoint.latency`), as pickers and `stats()` see it:
 * read-only. Read it with `estimate(now)`, compare two with `lowerThan`. The client alone records
 * samples (on {@link LatencyEstimate}, the class behind it): a picker of the user's cannot change
 * the figures the client and its other readers go by. An interface, so that it is a type only
 * (no value to import) that declarations can name.
 *
 * @example
 * const ms = endpoint.latency.estimate(performance.now());
 * const cheaper = b.latency.lowerThan(b.inflight + 1, a.latency, a.inflight + 1, now) ? b : a;
 */
export interface PeakEwma extends ReadOnlyEstimate {}

/**
 * Peak-EWMA latency estimate of one endpoint (Finagle's `PeakEwma`, Linkerd's "Beyond Round
 * Robin"): a new sample above the estimate replaces it at once (peak sensitivity, so a host
 * that turns slow is avoided on the next pick), a sample below it is blended in with a weight
 * that depends on the time since the last sample, and the estimate decays toward zero while
 * no sample arrives, so an avoided host is eventually tried again.
 */
export class LatencyEstimate extends ReadOnlyEstimate {
  #cost = 0;
  /**
   * When the last sample was taken. Declared with a number, as `#cost` is: a field that starts
   * out `undefined` (declared bare, then set in the constructor) is one V8 keeps as a pointer, so
   * each new time would be a new number object, written into this long-lived one at the cost of a
   * GC write barrier on every successful attempt; a field that starts as a number is updated in
   * place.
   */
  #stamp = 0;
  /**
   * The time constant in ms. Kept as given, not as its inverse: a whole number of ms is stored in
   * the object, while a fraction would be boxed in a number object of its own, one more memory
   * access per estimate (≈ 10 % of a pick among 100 000 endpoints).
   */
  readonly #decay: number;
  /** The penalty being held (`observePenalty`), if one is: rare, so kept apart. */
  #held: Held | undefined = undefined;

  /** @param decay time constant in ms (the default picker uses 10 000). */
  constructor(decay: number, now: number) {
    super();
    this.#decay = decay;
    this.#stamp = now;
  }

  /**
   * Records one round-trip time in ms, measured at `now` (ms, monotonic). It is compared with,
   * and blended into, the estimate as it stands now (decayed since the last sample, as
   * `estimate(now)` reads it, and as Finagle's picks decay it on every read): a sample above it
   * replaces it, one below lowers it, never the other way round. While a penalty holds, the
   * sample counts for the estimate from before the penalty as well (what the hold gives way to).
   */
  observe(rtt: number, now: number): void {
    if (this.#held !== undefined) {
      const held = this.#heldAt(now);
      if (held !== undefined) this.#teach(held, rtt, now);
    }
    this.#blend(rtt, now);
  }

  /**
   * Records a failure that answered faster than `penalty` ms as taking `penalty` (a fast failure
   * must not look like a fast host), held for `holdFor` ms from now: then the estimate is again
   * what it was before the penalties began (decayed since, and taught by any sample that came
   * meanwhile), so the endpoint is tried again, rather than shunned until the penalty decays
   * away (≈ 53 s for 1 s against 5 ms peers, with the default 10 s decay).
   *
   * @example
   * endpoint.latency.observePenalty(1_000, performance.now(), 30_000);
   */
  observePenalty(penalty: number, now: number, holdFor: number): void {
    let held = this.#heldAt(now);
    if (held === undefined) {
      held = { since: now, until: now + holdFor, before: this.#cost, beforeStamp: this.#stamp };
      this.#held = held;
    }
    // A clock that went back (a `clock` of the user's) never shortens a hold.
    held.since = Math.max(held.since, now);
    held.until = Math.max(held.until, now + holdFor);
    this.#blend(penalty, now);
  }

  /**
   * Makes a penalty still held at `now` hold for `holdFor` ms from when it was recorded (a live
   * change of `health.ejectionTime`, which every hold in progress follows at once, as ejections
   * do); one whose hold was over by `now` stays over.
   *
   * @example
   * // As the client does for each endpoint when `health.ejectionTime` changes live:
   * endpoint.latency.retimeHold(5_000, performance.now());
   */
  retimeHold(holdFor: number, now: number): void {
    const held = this.#heldAt(now);
    if (held !== undefined) held.until = held.since + holdFor;
  }

  /** The penalty still held at `now`; one whose hold is over gives way to the estimate from before it first. */
  #heldAt(now: number): Held | undefined {
    const held = this.#held;
    if (held === undefined || now < held.until) return held;
    this.#held = undefined;
    this.#cost = held.before;
    this.#stamp = held.beforeStamp;
    return undefined;
  }

  /** A real sample while a penalty holds: it counts for the estimate the hold gives way to. */
  #teach(held: Held, rtt: number, now: number): void {
    held.before = blended(held.before, held.beforeStamp, rtt, now, this.#decay);
    held.beforeStamp = now;
  }

  #blend(rtt: number, now: number): void {
    this.#cost = blended(this.#cost, this.#stamp, rtt, now, this.#decay);
    this.#stamp = now;
  }

  /**
   * Records that a round trip took at least `rtt` ms (an attempt cut short, e.g. a hedge that
   * lost): it only ever raises the estimate, since the real latency is unknown but larger.
   */
  observeAtLeast(rtt: number, now: number): void {
    const held = this.#held === undefined ? undefined : this.#heldAt(now);
    if (held !== undefined && rtt > decayed(held.before, held.beforeStamp, now, this.#decay)) this.#teach(held, rtt, now);
    if (rtt > this.estimate(now)) this.#blend(rtt, now);
  }

  /**
   * Whether a sample above 0 ms was recorded: before one, the estimate is 0 whatever the time.
   * A penalty is no sample: an endpoint that only ever failed fast is unsampled once its hold is over.
   */
  get sampled(): boolean {
    const held = this.#held;
    return (held === undefined ? this.#cost : held.before) > 0;
  }

  /**
   * Whether this estimate × `mine` is below `other`'s × `theirs` at `now`: what comparing
   * `estimate(now) * mine` with `other.estimate(now) * theirs` answers, with one decay instead
   * of two. From the later of the two samples on, both estimates decay by the same factor, so
   * only the older sample is decayed, by the time between the samples (when both share a decay
   * and were taken no later than `now`; otherwise it compares the estimates). Unlike two
   * estimates it keeps its answer for samples so old (≈ 745 decay constants) that an estimate
   * underflows to 0.
   *
   * @example
   * // Power of two choices on latency × (inflight + 1):
   * const pick = b.latency.lowerThan(b.inflight + 1, a.latency, a.inflight + 1, now) ? b : a;
   */
  lowerThan(mine: number, other: LatencyEstimate, theirs: number, now: number): boolean {
    if (this.#held !== undefined) this.#heldAt(now);
    if (other.#held !== undefined) other.#heldAt(now);
    const decay = this.#decay;
    const stamp = this.#stamp;
    const otherStamp = other.#stamp;
    if (now < stamp || now < otherStamp || decay !== other.#decay) return this.estimate(now) * mine < other.estimate(now) * theirs;
    let x = this.#cost * mine;
    let y = other.#cost * theirs;
    if (stamp < otherStamp) x *= decayWeight((otherStamp - stamp) / decay);
    else if (otherStamp < stamp) y *= decayWeight((stamp - otherStamp) / decay);
    return x < y;
  }

  /** The estimate at `now`, decayed for the time since the last sample; 0 before any sample. */
  estimate(now: number): number {
    if (this.#held !== undefined) this.#heldAt(now);
    return decayed(this.#cost, this.#stamp, now, this.#decay);
  }
}

/** A penalty being held: when it was last recorded, until when it holds, and the estimate it gives way to. */
interface Held {
  since: number;
  until: number;
  before: number;
  beforeStamp: number;
}

/** `cost` taken at `stamp`, decayed to `now`. */
function decayed(cost: number, stamp: number, now: number, decay: number): number {
  const elapsed = now - stamp;
  if (elapsed <= 0 || cost === 0) return cost;
  return cost * decayWeight(elapsed / decay);
}

/** `cost` (taken at `stamp`) with the sample `rtt` taken at `now`: a sample above the decayed estimate replaces it, one below blends in. */
function blended(cost: number, stamp: number, rtt: number, now: number, decay: number): number {
  const elapsed = now - stamp;
  const w = elapsed > 0 ? decayWeight(elapsed / decay) : 1;
  const current = cost * w;
  return rtt > current ? rtt : current * w + rtt * (1 - w);
}

/**
 * `e^-x` for x ≥ 0, without `Math.exp` (a call out of optimized code, ≈ 10 ns here, on every
 * pick of an endpoint that has not answered for a while): x·log2(e) = k + j/64 + r splits it
 * into 2^-k and 2^(-j/64), read from tables, and e^-(r·ln 2) with r·ln 2 < 0.011, where four
 * terms of its series are exact to 2e-12.
 */
function decayWeight(x: number): number {
  // The usual case, samples moments apart, kept small enough for V8 to inline into every caller.
  return x < 1e-3 ? 1 - x + 0.5 * x * x : decayWeightFar(x);
}

/** {@link decayWeight} for x ≥ 1e-3. */
function decayWeightFar(x: number): number {
  const z = x * LOG2E_64;
  if (z >= 1074 * 64) return 0;
  const n = Math.floor(z);
  const y = (z - n) * LN2_64;
  return POW2_NEG[n >> 6]! * POW2_NEG_64TH[n & 63]! * (1 - y * (1 - y * (0.5 - y * (1 / 6 - y * (1 / 24)))));
}

const LOG2E_64 = Math.LOG2E * 64;
const LN2_64 = Math.LN2 / 64;
/** 2^-k for k = 0 … 1074 (the last ones subnormal). */
const POW2_NEG = new Float64Array(1075).map((_, k) => 2 ** -k);
/** 2^(-j/64) for j = 0 … 63. */
const POW2_NEG_64TH = new Float64Array(64).map((_, j) => 2 ** (-j / 64));
