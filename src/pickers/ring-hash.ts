import { selfContainedUnless } from './check.js';
import { ConfigError } from '../errors.js';
import type { Picker, RandomSource } from './picker.js';
import type { Table } from '../config/keys.js';
import { functionOption, optionsObject, pickerKeys } from './options.js';
import { randomBits } from './random-bits.js';
import { murmur3 } from './murmur3.js';
import { Ring } from './ring.js';
import { MAX_RING } from './ring-layout.js';

export { murmur3 } from './murmur3.js';

/** Options of {@link ringHash}. */
export interface RingHashOptions extends RandomSource {
  /**
   * Points on the ring per endpoint of weight 1, an integer from 1 to 8 388 608; default 1024
   * (Envoy `ring_hash`'s default `minimum_ring_size`, so one endpoint alone has Envoy's
   * smallest ring). Unlike Envoy, these are not shared out among the endpoints — that would make
   * each one's points depend on how many there are, and move keys between endpoints that stay —
   * so each endpoint gets `ringSize × weight` points (at least one) and the ring holds
   * `ringSize × Σ weights`, up to 8 388 608 points (Envoy's `maximum_ring_size`). A larger set
   * has every endpoint's count halved, as many times as it takes to fit: at the default, up to
   * 8 192 endpoints of weight 1 get 1 024 points each, 100 000 endpoints get 64 each (6.4 million
   * points). The more points per endpoint, the more even the spread of keys (about ±3 % per
   * endpoint at 1024, ±12 % at 64); a point costs 8 bytes.
   */
  ringSize?: number | undefined;
  /**
   * Hashes request keys and endpoint ids to unsigned 32-bit integers; point `j` of an endpoint
   * is MurmurHash3 of the 4 bytes of `j` seeded with its id's hash. Default {@link murmur3}
   * (MurmurHash3 x86_32, seed 0, over the UTF-8 bytes). Replace it only to agree with keys
   * hashed elsewhere; a call through it may allocate where the default does not.
   */
  hash?: ((text: string) => number) | undefined;
  /** Source of uniform numbers in [0, 1) for calls without a key. Default: a fast generator seeded from `Math.random`. */
  random?: (() => number) | undefined;
}

const KEYS = pickerKeys('ringHash', { ringSize: true, hash: true, random: true } satisfies Table<RingHashOptions>);

/**
 * Consistent hashing on the call's `key` (Karger et al.; Ketama; Envoy `ring_hash`): every
 * endpoint owns points on a 32-bit ring, in proportion to its weight, and a key goes to the
 * owner of the first point at or after the key's hash. How many points an endpoint owns, and
 * where, depends only on its own id and weight — never on the other endpoints, until the ring
 * reaches its maximum size — so when the set changes only keys that mapped to a removed
 * endpoint move, and an added endpoint takes keys only for itself. Every client with the same
 * endpoint set computes the same ring. A retry walks clockwise to the next point of an
 * endpoint the call has not tried; a call without a key goes to a random endpoint.
 * O(log points) per pick, no allocation with the default hash. An update puts in and takes out
 * only the points of the endpoints that came, went or changed weight: O(endpoints) to find
 * them, plus one move of the points after the first change (about 10 ms at 6 million points).
 *
 * @example
 * const sessions = createClient({ name: 'sessions', discovery: ['10.0.0.1:80', '10.0.0.2:80'], picker: ringHash() });
 * await sessions.fetch(`/v1/sessions/${id}`, { key: id }); // the same id always reaches the same endpoint
 */
export function ringHash(options?: RingHashOptions): Picker {
  const opts = optionsObject('ringHash', options, KEYS);
  const bits = randomBits('ringHash', opts);
  const hash = functionOption('ringHash', opts, 'hash', 'must be a function from string to a 32-bit integer', murmur3);
  const ringSize = opts['ringSize'] ?? 1024;
  if (typeof ringSize !== 'number' || !Number.isInteger(ringSize) || ringSize < 1 || ringSize > MAX_RING) {
    throw new ConfigError('bulwark', 'ringHash.ringSize', `must be an integer ≥ 1 (at most ${MAX_RING})`, ringSize);
  }
  return selfContainedUnless(new Ring(ringSize, hash, bits), opts);
}

/**
 * How many points a ring hash picker's ring holds now; `undefined` for another picker. For
 * tests and diagnostics.
 *
 * @example
 * const picker = ringHash();
 * picker.update(endpoints); // 3 endpoints of weight 1
 * ringPoints(picker); // 3072
 */
export function ringPoints(picker: Picker): number | undefined {
  return picker instanceof Ring ? picker.points : undefined;
}
