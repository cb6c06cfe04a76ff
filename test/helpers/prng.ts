/**
 * mulberry32 (Tommy Ettinger, public domain): a tiny seeded PRNG returning uniform numbers in
 * [0, 1), so tests that draw at random give the same result on every run.
 *
 * @example
 * const random = mulberry32(42);
 * random(); // always the same first number for seed 42
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
