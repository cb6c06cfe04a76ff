import { describe, it, expect } from 'vitest';
import { draw, drawTwo, fastRandom, fraction, randomBits, xorshift32 } from '../../src/pickers/random-bits.js';
import { ConfigError } from '../../src/errors.js';
import { mulberry32 } from '../helpers/prng.js';

describe('randomBits', () => {
  it('keeps a user source in range, so every draw stays in [0, m) and a pair is two distinct indices', () => {
    for (const value of [0, 0.5, 0.9999999999999999, 1, 2, -0.5, -0, Number.NaN, Infinity, -Infinity, '0.5', undefined, {}]) {
      const bits = randomBits('test', { random: () => value });
      for (const m of [1, 2, 3, 7, 1024, 100_000]) {
        const i = draw(bits, m);
        expect(i).toBeGreaterThanOrEqual(0);
        expect(i).toBeLessThan(m);
        if (m === 1 || m > 1024) continue;
        const pair = drawTwo(bits, m);
        const [first, second] = [pair >> 11, pair & 2047];
        expect(first).toBeGreaterThanOrEqual(0);
        expect(first).toBeLessThan(m);
        expect(second).toBeGreaterThanOrEqual(0);
        expect(second).toBeLessThan(m);
        expect(second).not.toBe(first);
      }
      const f = fraction(bits);
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
    }
  });

  it('turns x in [0, 1) into floor(x · 2³²), x ≥ 1 into all ones and anything else into zero', () => {
    const values: unknown[] = [0, 0.25, 0.5, 0.75, 1 - 2 ** -32, 1 - 2 ** -53, 1, 7, -0.25, Number.NaN, '0.5'];
    let i = 0;
    const bits = randomBits('test', { random: () => values[i++] });
    const unsigned = values.map(() => bits.next() >>> 0);
    expect(unsigned).toEqual([0, 2 ** 30, 2 ** 31, 3 * 2 ** 30, 2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 1, 0, 0, 0]);
  });

  it('maps a user source onto indices as floor(x · m) does', () => {
    const random = mulberry32(3);
    const xs = Array.from({ length: 1_000 }, () => random());
    let i = 0;
    const bits = randomBits('test', { random: () => xs[i++] });
    for (const x of xs) expect(draw(bits, 37)).toBe(Math.floor(x * 37));
  });

  it('refuses a `random` option that is not a function', () => {
    expect(() => randomBits('peakEwma', { random: 0.5 })).toThrow(ConfigError);
    expect(() => randomBits('peakEwma', { random: 0.5 })).toThrow(/peakEwma\.random/);
  });
});

describe('drawTwo', () => {
  it('draws every ordered pair of distinct indices about equally often', () => {
    const bits = randomBits('test', { random: mulberry32(7) });
    const m = 4;
    const counts = new Map<number, number>();
    const n = 120_000;
    for (let k = 0; k < n; k++) {
      const pair = drawTwo(bits, m);
      counts.set(pair, (counts.get(pair) ?? 0) + 1);
    }
    expect(counts.size).toBe(m * (m - 1));
    for (const c of counts.values()) expect(Math.abs(c / n - 1 / 12)).toBeLessThan(0.005);
  });

  it('gives each index of a large set the same chance, as first and as second candidate', () => {
    const bits = xorshift32();
    const m = 1000;
    const firsts = new Array<number>(m).fill(0);
    const seconds = new Array<number>(m).fill(0);
    const n = 400_000;
    for (let k = 0; k < n; k++) {
      const pair = drawTwo(bits, m);
      firsts[pair >> 11]!++;
      seconds[pair & 2047]!++;
    }
    // 400 expected per index; a binomial's standard deviation is ≈ 20, so 6σ is 120.
    for (const counts of [firsts, seconds]) {
      expect(Math.min(...counts)).toBeGreaterThan(280);
      expect(Math.max(...counts)).toBeLessThan(520);
    }
  });
});

describe('xorshift32 and fastRandom', () => {
  it('yield varied 32-bit values and fractions in [0, 1) with mean ≈ ½', () => {
    const bits = xorshift32();
    const seen = new Set<number>();
    for (let k = 0; k < 10_000; k++) {
      const x = bits.next();
      expect(Number.isInteger(x) && x >= -(2 ** 31) && x < 2 ** 31).toBe(true);
      seen.add(x);
    }
    expect(seen.size).toBeGreaterThan(9_990);
    const random = fastRandom();
    let sum = 0;
    for (let k = 0; k < 10_000; k++) {
      const f = random();
      expect(f >= 0 && f < 1).toBe(true);
      sum += f;
    }
    expect(Math.abs(sum / 10_000 - 0.5)).toBeLessThan(0.02);
  });
});

describe('random sources', () => {
  it('share their draw function across instances, the default and a given one alike', () => {
    const [a, b] = [randomBits('test', {}), randomBits('test', {})];
    const [c, d] = [randomBits('test', { random: () => 0.5 }), randomBits('test', { random: Math.random })];
    for (const source of [a, b, c, d]) expect(typeof source.next).toBe('function');
    expect(a.next).toBe(b.next);
    expect(a.next).toBe(xorshift32().next);
    expect(c.next).toBe(d.next);
  });
});
