// Where the pickers' random draws come from: 32 random bits at a time, turned into indices with
// integer arithmetic, off the float conversions that sat on the pick's critical path. Alone it
// measured no gain (V8 then stopped inlining drawTwo); with peakEwma's one-decay comparison
// (PeakEwma.lowerThan) the pick fits the inlining budget again: ≈ 13 ns less per call (bench/README.md).
// A picker's source is an object whose class has a `next` method, not a closure: every client's
// picker then calls the same function, which V8 inlines however many clients a process has.
// (fastRandom stays a closure: health uses it only while slow start or failover adjusts picks.)
import { functionOption } from './options.js';

/**
 * A source of 32 random bits at a time, each draw an int32 (any value, negative ones
 * included). What every built-in picker draws from: the default {@link xorshift32}, or the
 * user's `random` option through {@link randomBits}.
 */
export interface RandomBits {
  /** The next 32 bits. */
  next(): number;
}

/** 2⁻³²: turns 32 bits read as an unsigned integer into a number in [0, 1). */
const TWO_TO_MINUS_32 = 2 ** -32;

/**
 * Reads the `random` option every picker that draws at random accepts: default an
 * {@link xorshift32} generator of the picker's own. A user's source (uniform numbers in [0, 1))
 * is checked where it comes in, so the draws need no range checks: whatever it returns (1, -1,
 * NaN, a string), the picker gets 32 bits, `floor(x · 2³²)` for an x in [0, 1), all ones for
 * x ≥ 1 and zero for anything that is not a number ≥ 0.
 *
 * @example
 * const bits = randomBits('peakEwma', { random: mulberry32(42) });
 * const i = draw(bits, endpoints.length);
 */
export function randomBits(picker: string, options: Readonly<Record<string, unknown>>): RandomBits {
  const given = functionOption<(() => unknown) | undefined>(picker, options, 'random', 'must be a function returning numbers in [0, 1)', undefined);
  return given === undefined ? xorshift32() : new GivenRandom(given);
}

/** A user's `random` option as 32 bits a draw. */
class GivenRandom implements RandomBits {
  readonly #random: () => unknown;

  constructor(random: () => unknown) {
    this.#random = random;
  }

  next(): number {
    const x = this.#random();
    if (typeof x !== 'number' || !(x >= 0)) return 0;
    return x < 1 ? (x * 4294967296) | 0 : -1;
  }
}

/**
 * Marsaglia's xorshift32, seeded from `Math.random`: 32 bits a draw in ≈ 2 ns (`Math.random`
 * costs ≈ 10 ns here). Spreading load needs no more than its 2³²−1 period.
 *
 * @example
 * const bits = xorshift32();
 * const i = draw(bits, endpoints.length);
 */
export function xorshift32(): RandomBits {
  return new Xorshift32((Math.floor(Math.random() * 0xffffffff) | 0) || (0x9e3779b9 | 0));
}

class Xorshift32 implements RandomBits {
  /** Any int32 but 0; a small integer to V8, so writing it allocates nothing. */
  #x: number;

  constructor(seed: number) {
    this.#x = seed;
  }

  next(): number {
    let x = this.#x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#x = x;
    return x;
  }
}

/**
 * Uniform numbers in [0, 1) from an {@link xorshift32} of its own (health tracking's draws,
 * which want a fraction rather than an index).
 *
 * @example
 * const random = fastRandom();
 * const jitter = 1 + random();
 */
export function fastRandom(): () => number {
  const bits = xorshift32();
  return () => fraction(bits);
}

/** A number in [0, 1) from 32 bits of `bits`. */
export function fraction(bits: RandomBits): number {
  return (bits.next() >>> 0) * TWO_TO_MINUS_32;
}

/**
 * A uniform integer in [0, m), m ≥ 1: the top of the 64-bit product of 32 bits and m, exact in
 * a double while m < 2²¹ and kept below m for any m.
 *
 * @example
 * const i = draw(bits, endpoints.length);
 */
export function draw(bits: RandomBits, m: number): number {
  const i = ((bits.next() >>> 0) * m * TWO_TO_MINUS_32) | 0;
  return i < m ? i : m - 1;
}

/**
 * Two distinct uniform integers in [0, m), 2 ≤ m ≤ 1024, packed as `first * 2048 + second` so
 * nothing is allocated. Integer arithmetic only (no float conversion on the pick's critical
 * path), small enough for V8 to inline: each index is the top of 21 random bits times m (or
 * m − 1), so no index is more likely than another by more than m / 2²¹ (0.05 % at m = 1024).
 *
 * @example
 * const pair = drawTwo(bits, list.length);
 * const a = list[pair >> 11], b = list[pair & 2047];
 */
export function drawTwo(bits: RandomBits, m: number): number {
  const first = Math.imul(bits.next() >>> 11, m) >>> 21;
  const second = Math.imul(bits.next() >>> 11, m - 1) >>> 21;
  return first * 2048 + second + (second >= first ? 1 : 0);
}
