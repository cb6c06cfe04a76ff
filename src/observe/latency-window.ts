const SIZE = 512;
/** Below this many samples a percentile says too little: no hedge is sent on one. */
const MIN_SAMPLES = 20;
/** Percentiles are recomputed after this many new samples, not on every read. */
const REFRESH_EVERY = 32;

/**
 * The latencies of the client's last 512 successful attempts, for hedge delays given as a
 * percentile (`'p95'`). Recording is a write into a ring; the sort happens on a read at most
 * once per 32 new samples.
 */
export class LatencyWindow {
  readonly #ring = new Float64Array(SIZE);
  #count = 0;
  #sorted: Float64Array | undefined;
  #sortedAt = -Infinity;

  /** Records one successful attempt's latency in ms. */
  record(latency: number): void {
    this.#ring[this.#count & (SIZE - 1)] = latency;
    this.#count++;
  }

  /** The `p`-th percentile (0–100) of recent successful attempt latency; `undefined` with too few samples. */
  percentile(p: number): number | undefined {
    const n = Math.min(this.#count, SIZE);
    if (n < MIN_SAMPLES) return undefined;
    if (this.#sorted === undefined || this.#count - this.#sortedAt >= REFRESH_EVERY) {
      this.#sorted = this.#ring.slice(0, n).sort();
      this.#sortedAt = this.#count;
    }
    const sorted = this.#sorted;
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? sorted[0];
  }
}
