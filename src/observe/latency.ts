/**
 * An endpoint's peak-EWMA latency estimate (`endpoint.latency`): read it with `estimate(now)`,
 * compare two with `lowerThan`. The public name of {@link LatencyEstimate}'s instances: an
 * interface, so that it is a type only (no value to import) that declarations can name.
 *
 * @example
 * const ms = endpoint.latency.estimate(performance.now());
 * const cheaper = b.latency.lowerThan(b.inflight + 1, a.latency, a.inflight + 1, now) ? b : a;
 */
export interface PeakEwma extends LatencyEstimate {}

/**
 * Peak-EWMA latency estimate of one endpoint (Finagle's `PeakEwma`, Linkerd's "Beyond Round
 * Robin"): a new sample above the estimate replaces it at once (peak sensitivity, so a host
 * that turns slow is avoided on the next pick), a sample below it is blended in with a weight
 * that depends on the time since the last sample, and the estimate decays toward zero while
 * no sample arrives, so an avoided host is eventually tried again.
 */
export class LatencyEstimate {
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

  /** @param decay time constant in ms (the default picker uses 10 000). */
  constructor(decay: number, now: number) {
    this.#decay = decay;
    this.#stamp = now;
  }

  /**
   * Records one round-trip time in ms, measured at `now` (ms, monotonic). It is compared with,
   * and blended into, the estimate as it stands now (decayed since the last sample, as
   * `estimate(now)` reads it, and as Finagle's picks decay it on every read): a sample above it
   * replaces it, one below lowers it, never the other way round.
   */
  observe(rtt: number, now: number): void {
    const elapsed = now - this.#stamp;
    this.#stamp = now;
    const w = elapsed > 0 ? decayWeight(elapsed / this.#decay) : 1;
    const current = this.#cost * w;
    this.#cost = rtt > current ? rtt : current * w + rtt * (1 - w);
  }

  /**
   * Records that a round trip took at least `rtt` ms (an attempt cut short, e.g. a hedge that
   * lost): it only ever raises the estimate, since the real latency is unknown but larger.
   */
  observeAtLeast(rtt: number, now: number): void {
    if (rtt > this.estimate(now)) this.observe(rtt, now);
  }

  /** Whether a sample above 0 ms was recorded: before one, the estimate is 0 whatever the time. */
  get sampled(): boolean {
    return this.#cost > 0;
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
  lowerThan(mine: number, other: PeakEwma, theirs: number, now: number): boolean {
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
    const elapsed = now - this.#stamp;
    if (elapsed <= 0 || this.#cost === 0) return this.#cost;
    return this.#cost * decayWeight(elapsed / this.#decay);
  }
}

/**
 * `e^-x` for x ≥ 0, without `Math.exp` (a call out of optimized code, ≈ 10 ns here, on every
 * pick of an endpoint that has not answered for a while): x·log2(e) = k + j/64 + r splits it
 * into 2^-k and 2^(-j/64), read from tables, and e^-(r·ln 2) with r·ln 2 < 0.011, where four
 * terms of its series are exact to 2e-12.
 */
function decayWeight(x: number): number {
  if (x < 1e-3) return 1 - x + 0.5 * x * x;
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
