// MurmurHash3 x86_32, as the ring hash picker and deterministic subsetting use it.

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixBlock(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixState(h: number, k: number): number {
  h ^= mixBlock(k);
  return (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
}

function finish(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3 x86_32 of the 4 little-endian bytes of `j`, with `seed`. */
export function pointHash(seed: number, j: number): number {
  return finish(mixState(seed, j), 4);
}

/**
 * Where {@link murmur3Into} leaves its result: a 32-bit hash returned from a call that is not
 * inlined is boxed on the heap (it does not fit a small integer); read from here it is not.
 */
export const HASH: Uint32Array = new Uint32Array(1);

/**
 * MurmurHash3 x86_32 (Austin Appleby, public domain) of the UTF-8 encoding of `text`, computed
 * without allocating; lone surrogates count as U+FFFD, as `TextEncoder` encodes them. Fast,
 * well mixed, and equal to what other MurmurHash3 implementations give for the same bytes.
 *
 * @example
 * murmur3('hello'); // 0x248bfa47
 */
export function murmur3(text: string, seed = 0): number {
  murmur3Into(text, seed);
  return HASH[0]!;
}

/** {@link murmur3}, leaving the result in `HASH[0]`. */
export function murmur3Into(text: string, seed: number): void {
  let h = seed | 0;
  let block = 0; // bytes not yet mixed, little-endian
  let filled = 0; // bits of `block` in use
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    // `bytes` holds the UTF-8 encoding of one code point, first byte lowest.
    let bytes: number;
    let count: number;
    if (c < 0x80) {
      bytes = c;
      count = 1;
    } else if (c < 0x800) {
      bytes = (0xc0 | (c >> 6)) | ((0x80 | (c & 0x3f)) << 8);
      count = 2;
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const low = c <= 0xdbff && i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
        if (low >= 0xdc00 && low <= 0xdfff) {
          i++;
          c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        } else {
          c = 0xfffd;
        }
      }
      if (c < 0x10000) {
        bytes = (0xe0 | (c >> 12)) | ((0x80 | ((c >> 6) & 0x3f)) << 8) | ((0x80 | (c & 0x3f)) << 16);
        count = 3;
      } else {
        bytes = (0xf0 | (c >> 18)) | ((0x80 | ((c >> 12) & 0x3f)) << 8) | ((0x80 | ((c >> 6) & 0x3f)) << 16) | ((0x80 | (c & 0x3f)) << 24);
        count = 4;
      }
    }
    length += count;
    for (; count > 0; count--, bytes >>>= 8) {
      block |= (bytes & 0xff) << filled;
      filled += 8;
      if (filled === 32) {
        h = mixState(h, block);
        block = 0;
        filled = 0;
      }
    }
  }
  if (filled !== 0) h ^= mixBlock(block);
  HASH[0] = finish(h, length);
}
