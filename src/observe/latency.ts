/**
 * Peak-EWMA latency estimate of one endpoint (Finagle's `PeakEwma`, Linkerd's "Beyond Round
 * Robin"): a new sample above the estimate replaces it at once (peak sensitivity, so a host
 * that turns slow is avoided on the next pick), a sample below it is blended in with a weight
 * that depends on the time since the last sample, and the estimate decays toward zero while
 * no sample arrives, so an avoided host is eventually tried again.
 */
export class PeakEwma {
  #cost = 0;
  #stamp: number;
  readonly #decay: number;

  /** @param decay time constant in ms (the default picker uses 10 000). */
  constructor(decay: number, now: number) {
    this.#decay = decay;
    this.#stamp = now;
  }

  /** Records one round-trip time in ms, measured at `now` (ms, monotonic). */
  observe(rtt: number, now: number): void {
    const elapsed = now - this.#stamp;
    this.#stamp = now;
    if (rtt > this.#cost) {
      this.#cost = rtt;
    } else {
      const w = decayWeight(Math.max(elapsed, 0) / this.#decay);
      this.#cost = this.#cost * w + rtt * (1 - w);
    }
  }

  /**
   * Records that a round trip took at least `rtt` ms (an attempt cut short, e.g. a hedge that
   * lost): it only ever raises the estimate, since the real latency is unknown but larger.
   */
  observeAtLeast(rtt: number, now: number): void {
    if (rtt > this.estimate(now)) this.observe(rtt, now);
  }

  /** The estimate at `now`, decayed for the time since the last sample; 0 before any sample. */
  estimate(now: number): number {
    const elapsed = now - this.#stamp;
    if (elapsed <= 0 || this.#cost === 0) return this.#cost;
    return this.#cost * decayWeight(elapsed / this.#decay);
  }
}

/**
 * `e^-x`. Calls a few microseconds apart give x below 1e-3 (decay is seconds), where
 * `1 - x + x²/2` is exact to 2e-10 and much cheaper than `Math.exp` on the hot path (it runs
 * for both picker candidates and every recorded sample).
 */
function decayWeight(x: number): number {
  return x < 1e-3 ? 1 - x + 0.5 * x * x : Math.exp(-x);
}
