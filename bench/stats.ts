// Small statistics and formatting helpers shared by the benchmark suites.

/** The median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The p-th percentile (0–100) of already sorted values, nearest rank. */
export function percentileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface Distribution {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Summarises a sample: min, p50, p90, p99, max and mean. */
export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((acc, v) => acc + v, 0);
  return {
    count: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: percentileSorted(sorted, 50),
    p90: percentileSorted(sorted, 90),
    p99: percentileSorted(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
  };
}

/** A seeded uniform source in [0, 1) (mulberry32), so a resampling gives the same answer every time. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The median of `values.length` draws from `values` with replacement. */
function resampledMedian(values: readonly number[], random: () => number): number {
  const draw = values.map(() => values[Math.floor(random() * values.length)]!);
  return median(draw);
}

/**
 * Where the ratio of two overheads, (median(num) − median(numBase)) / (median(den) − median(denBase)),
 * lands in 95 % of resamplings of the per-process figures (a percentile bootstrap: each list
 * drawn again with replacement, 2 000 times, seeded). A target inside the interval is within
 * the run's noise. `undefined` when a list is empty or a resampled denominator is not positive.
 *
 * @example
 * const [lo, hi] = overheadRatioInterval(bulwark.rounds, raw.rounds, pRetry.rounds, raw.rounds)!;
 */
export function overheadRatioInterval(
  num: readonly number[], numBase: readonly number[], den: readonly number[], denBase: readonly number[], resamples = 2_000,
): [number, number] | undefined {
  if ([num, numBase, den, denBase].some((l) => l.length === 0)) return undefined;
  const random = seeded(0x5eed);
  const ratios: number[] = [];
  for (let i = 0; i < resamples; i++) {
    const nb = resampledMedian(numBase, random);
    // The same baseline under both sides (raw for both) is drawn once: it is one measurement.
    const db = denBase === numBase ? nb : resampledMedian(denBase, random);
    const d = resampledMedian(den, random) - db;
    if (!(d > 0)) return undefined;
    ratios.push((resampledMedian(num, random) - nb) / d);
  }
  ratios.sort((x, y) => x - y);
  return [percentileSorted(ratios, 2.5), percentileSorted(ratios, 97.5)];
}

/** Rounds for JSON output, so results files stay readable. */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A plain-text table: the first row is the header; numbers-looking cells are right-aligned. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const numeric = /^[-+]?[\d.,]+( ?[a-zµ%×]+)?$/;
  const line = (row: readonly string[]): string =>
    row.map((cell, i) => (numeric.test(cell) && i > 0 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  const [head, ...body] = rows;
  if (!head) return '';
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/**
 * The order to run `count` cases in round `round` (1-based): odd rounds in order, even rounds
 * in reverse, so that a drift of the machine or of a shared backend over a round weighs on
 * every case alike instead of always on the later ones.
 */
export function roundOrder(count: number, round: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  return round % 2 === 1 ? order : order.reverse();
}

/**
 * Ratios of two cases paired by round: `value(a[r]) / value(b[r])` for every round where both
 * ran (an `undefined` is a round whose process failed), and their median (null when none).
 * Between fresh processes a case moves by 10–30 % on a shared 2-core machine; the processes of
 * one round ran minutes apart at most, so pairing them keeps slower drift out of the ratio.
 */
export function pairedRatios<T>(a: readonly (T | undefined)[], b: readonly (T | undefined)[], value: (x: T) => number): { median: number | null; rounds: number[] } {
  const rounds: number[] = [];
  for (let r = 0; r < a.length; r++) {
    const x = a[r];
    const y = b[r];
    if (x === undefined || y === undefined) continue;
    const vx = value(x);
    const vy = value(y);
    if (Number.isFinite(vx) && vy > 0) rounds.push(vx / vy);
  }
  return { median: rounds.length === 0 ? null : round(median(rounds), 3), rounds: rounds.map((v) => round(v, 3)) };
}
