import { describe, it, expect } from 'vitest';
import { LiveEndpoint, type EndpointState } from '../../src/endpoints/endpoint.js';
import { parseEndpoint } from '../../src/endpoints/parse.js';
import { murmur3, ringHash, ringPoints } from '../../src/pickers/ring-hash.js';
import type { Picker } from '../../src/pickers/picker.js';
import { mulberry32 } from '../helpers/prng.js';

function endpoints(...weights: number[]): LiveEndpoint[] {
  return weights.map((weight, i) => new LiveEndpoint(parseEndpoint({ host: '127.0.0.1', port: 8001 + i, weight }), 10_000, 0));
}

const KEYS = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);

function route(picker: Picker): Map<string, EndpointState | undefined> {
  return new Map(KEYS.map((key) => [key, picker.pick({ key, tried: [] })]));
}

/** MurmurHash3 x86_32 written the textbook way, over a byte buffer, to check the streaming one. */
function referenceMurmur3(bytes: Uint8Array, seed: number): number {
  let h = seed | 0;
  const blocks = bytes.length & ~3;
  const mix = (k: number): number => Math.imul(((Math.imul(k, 0xcc9e2d51) << 15) | (Math.imul(k, 0xcc9e2d51) >>> 17)), 0x1b873593);
  for (let i = 0; i < blocks; i += 4) {
    const k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    h ^= mix(k);
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  }
  let tail = 0;
  for (let i = bytes.length - 1; i >= blocks; i--) tail = (tail << 8) | bytes[i]!;
  if (bytes.length > blocks) h ^= mix(tail);
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

describe('murmur3', () => {
  it('matches the published MurmurHash3 x86_32 values', () => {
    expect(murmur3('')).toBe(0);
    expect(murmur3('', 1)).toBe(0x514e28b7);
    expect(murmur3('hello')).toBe(0x248bfa47);
    expect(murmur3('The quick brown fox jumps over the lazy dog')).toBe(0x2e4ff723);
  });

  it('hashes the UTF-8 bytes of any string, as TextEncoder encodes them', () => {
    const encoder = new TextEncoder();
    const random = mulberry32(41);
    const alphabet = ['a', 'Z', '7', 'é', 'ß', '€', '中', '😀', '\ud800', '\udc00', ' ', '\u0000'];
    for (let n = 0; n < 500; n++) {
      let text = '';
      const length = Math.floor(random() * 12);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      expect(murmur3(text, n)).toBe(referenceMurmur3(encoder.encode(text), n));
    }
  });
});

describe('ringHash', () => {
  it('sends the same key to the same endpoint, whatever the list order and the client', () => {
    const list = endpoints(1, 1, 1, 1, 1);
    const a = ringHash();
    const b = ringHash();
    a.update(list);
    b.update([...list].reverse());
    const first = route(a);
    expect(route(a)).toEqual(first);
    expect(route(b)).toEqual(first);
  });

  it('routes keys by endpoint id, not by list order, even when a custom hash gives every id the same value', () => {
    // Points come from the hash of the id and a second, independent hash of it (so colliding ids
    // do not share their points): the ring, and every key's endpoint, are the same in any order.
    const hash = (text: string): number => (text.startsWith('http') ? 0 : murmur3(text));
    const list = endpoints(1, 1, 1);
    const a = ringHash({ hash });
    const b = ringHash({ hash });
    a.update(list);
    b.update([list[2]!, list[0]!, list[1]!]);
    const reached = new Set<unknown>();
    for (const key of KEYS.slice(0, 300)) {
      const e = a.pick({ key, tried: [] });
      expect(b.pick({ key, tried: [] })).toBe(e);
      reached.add(e);
    }
    expect(reached.size).toBe(3);
  });

  it('when one endpoint of five goes, moves only the keys that mapped to it', () => {
    const list = endpoints(1, 1, 1, 1, 1);
    const picker = ringHash();
    picker.update(list);
    const before = route(picker);
    const removed = list[2]!;
    picker.update(list.filter((e) => e !== removed));
    const after = route(picker);
    const movedTo = new Map<EndpointState | undefined, number>();
    for (const key of KEYS) {
      if (before.get(key) === removed) movedTo.set(after.get(key), (movedTo.get(after.get(key)) ?? 0) + 1);
      else expect(after.get(key)).toBe(before.get(key));
    }
    expect(movedTo.has(removed)).toBe(false);
    expect(movedTo.size).toBe(4); // its keys spread over all the others
    picker.update(list);
    expect(route(picker)).toEqual(before); // and come back when it does
  });

  it.each([[[1, 1, 1, 4], 3], [[0.5, 2, 1, 3], 1], [[1, 1, 1, 0.25], 3]])('with weights %j, removing endpoint %i moves only its keys', (weights, index) => {
    const list = endpoints(...weights);
    const picker = ringHash();
    picker.update(list);
    const before = route(picker);
    const removed = list[index]!;
    picker.update(list.filter((e) => e !== removed));
    const after = route(picker);
    let moved = 0;
    for (const key of KEYS) {
      if (before.get(key) === removed) moved++;
      else expect(after.get(key)).toBe(before.get(key));
    }
    expect(moved).toBeGreaterThan(0);
  });

  it('when an endpoint is added, moves keys only to it', () => {
    const list = endpoints(1, 1, 1, 1, 1, 1);
    const picker = ringHash();
    picker.update(list.slice(0, 5));
    const before = route(picker);
    picker.update(list);
    const after = route(picker);
    let moved = 0;
    for (const key of KEYS) {
      if (after.get(key) !== before.get(key)) {
        expect(after.get(key)).toBe(list[5]);
        moved++;
      }
    }
    expect(Math.abs(moved / KEYS.length - 1 / 6)).toBeLessThan(0.03);
  });

  it('spreads keys in proportion to weight', () => {
    for (const weights of [[1, 1, 1, 1, 1], [1, 2, 3.5, 0.5], [10, 20, 40]]) {
      const list = endpoints(...weights);
      const picker = ringHash();
      picker.update(list);
      const counts = new Map<EndpointState | undefined, number>();
      for (let i = 0; i < 40_000; i++) {
        const e = picker.pick({ key: `session:${i}`, tried: [] });
        counts.set(e, (counts.get(e) ?? 0) + 1);
      }
      const total = weights.reduce((a, b) => a + b, 0);
      list.forEach((e, i) => {
        const share = counts.get(e)! / 40_000;
        const expected = weights[i]! / total;
        expect(Math.abs(share - expected) / expected).toBeLessThan(0.15);
      });
    }
  });

  it('on a retry, walks clockwise to the next endpoint not tried, the same way every time', () => {
    const list = endpoints(1, 1, 1, 1, 1);
    const picker = ringHash();
    picker.update(list);
    for (const key of KEYS.slice(0, 200)) {
      const primary = picker.pick({ key, tried: [] })!;
      const second = picker.pick({ key, tried: [primary] })!;
      expect(second).not.toBe(primary);
      expect(picker.pick({ key, tried: [primary] })).toBe(second);
      const third = picker.pick({ key, tried: [primary, second] })!;
      expect([primary, second]).not.toContain(third);
      expect(picker.pick({ key, tried: list })).toBe(primary); // all tried: back to the owner
    }
  });

  it('sends calls without a key to a random endpoint', () => {
    const list = endpoints(1, 1, 1, 1);
    const picker = ringHash({ random: mulberry32(42) });
    picker.update(list);
    const seen = new Set(Array.from({ length: 200 }, () => picker.pick({ key: undefined, tried: [] })));
    expect(seen.size).toBe(4);
    for (let i = 0; i < 50; i++) expect(picker.pick({ key: undefined, tried: list.slice(1) })).toBe(list[0]);
  });

  it('uses a custom hash for keys and endpoint ids', () => {
    const list = endpoints(1, 1, 1);
    const seen: string[] = [];
    const picker = ringHash({ hash: (text) => (seen.push(text), murmur3(text, 7)) });
    picker.update(list);
    expect(seen).toEqual(expect.arrayContaining(list.map((e) => e.id)));
    picker.pick({ key: 'k', tried: [] });
    expect(seen.at(-1)).toBe('k');
    // A different hash is a different ring.
    const standard = ringHash();
    standard.update(list);
    expect(KEYS.some((key) => standard.pick({ key, tried: [] }) !== picker.pick({ key, tried: [] }))).toBe(true);
  });

  it('routes every key to some endpoint with the smallest ring', () => {
    const list = endpoints(1, 1, 1);
    const picker = ringHash({ ringSize: 1 });
    picker.update(list);
    for (const key of KEYS.slice(0, 100)) expect(list).toContain(picker.pick({ key, tried: [] }));
  });
});

describe('ringHash with keys that are not strings', () => {
  /** A key as plain JavaScript callers pass it, past the `string` type. */
  const asKey = (key: unknown): string => key as string;

  it('hashes numbers as they print, spreading them over every endpoint', () => {
    const list = endpoints(1, 1, 1, 1, 1);
    const picker = ringHash();
    picker.update(list);
    const counts = new Map<EndpointState | undefined, number>();
    for (let id = 0; id < 5_000; id++) {
      const e = picker.pick({ key: asKey(id), tried: [] });
      expect(e).toBe(picker.pick({ key: String(id), tried: [] }));
      counts.set(e, (counts.get(e) ?? 0) + 1);
    }
    expect(counts.size).toBe(5);
    for (const n of counts.values()) expect(n).toBeGreaterThan(500);
  });

  it('hashes bigints and unusual numbers as they print', () => {
    const list = endpoints(1, 1, 1);
    const picker = ringHash();
    picker.update(list);
    for (const key of [12_345_678_901_234_567_890n, -1n, 1.5, -7, 1e21, Number.NaN]) {
      expect(picker.pick({ key: asKey(key), tried: [] })).toBe(picker.pick({ key: String(key), tried: [] }));
    }
  });

  it('gives a custom hash the printed number', () => {
    const seen: unknown[] = [];
    const picker = ringHash({ hash: (text) => (seen.push(text), murmur3(text)) });
    picker.update(endpoints(1, 1));
    picker.pick({ key: asKey(42), tried: [] });
    expect(seen.at(-1)).toBe('42');
  });

  it.each([[{}], [null], [true], [Symbol('k')], [[1]], [() => 1]])('sends a call with the key %s to a random endpoint', (key) => {
    const list = endpoints(1, 1, 1, 1);
    const seen: unknown[] = [];
    const picker = ringHash({ random: mulberry32(7), hash: (text) => (seen.push(text), murmur3(text)) });
    picker.update(list);
    seen.length = 0;
    const picked = new Set(Array.from({ length: 200 }, () => picker.pick({ key: asKey(key), tried: [] })));
    expect(picked.size).toBe(4);
    expect(seen).toEqual([]);
    expect(picker.pick({ key: asKey(key), tried: list.slice(1) })).toBe(list[0]);
  });
});

describe('ringHash updates in place', () => {
  /** Endpoints 10.0.0.x:80 for x in `hosts`, made once each so that identity is kept. */
  const made = new Map<number, LiveEndpoint>();
  const endpoint = (x: number): LiveEndpoint => {
    let e = made.get(x);
    if (e === undefined) made.set(x, (e = new LiveEndpoint(parseEndpoint({ host: `10.0.${x >> 8}.${x & 255}`, port: 80 }), 10_000, 0)));
    return e;
  };

  /** Where 2 000 keys go, first choice and first retry, on `picker`. */
  function routes(picker: Picker): unknown[] {
    return KEYS.slice(0, 2_000).map((key) => {
      const first = picker.pick({ key, tried: [] });
      return [first?.id, picker.pick({ key, tried: first === undefined ? [] : [first] })?.id];
    });
  }

  it.each([
    ['the default hash', undefined],
    ['a hash that gives every endpoint the same points', (text: string): number => (text.startsWith('http') ? 0 : murmur3(text))],
  ])('leaves the same ring as one built afresh, after 300 random changes, with %s', (_, hash) => {
    const random = mulberry32(5);
    const picker = ringHash({ ringSize: 16, hash });
    let list: LiveEndpoint[] = [];
    for (let step = 0; step < 300; step++) {
      // One to three changes at once, so that points go out and come in in the same update.
      for (let change = Math.floor(random() * 3); change >= 0; change--) {
        const r = random();
        if (r < 0.35 || list.length < 2) {
          const e = endpoint(Math.floor(random() * 60));
          if (!list.includes(e)) list.splice(Math.floor(random() * (list.length + 1)), 0, e);
        } else if (r < 0.7) {
          list.splice(Math.floor(random() * list.length), 1);
        } else if (r < 0.9) {
          // A weight changed in place (discovery, or slow start), as the registry does it.
          list[Math.floor(random() * list.length)]!.weight = [0.5, 1, 2, 3.3][Math.floor(random() * 4)]!;
        } else {
          list = [...list].sort(() => random() - 0.5);
        }
      }
      picker.update(list);
      const fresh = ringHash({ ringSize: 16, hash });
      fresh.update(list);
      expect(ringPoints(picker)).toBe(ringPoints(fresh));
      expect(ringPoints(picker)).toBe(list.reduce((n, e) => n + Math.max(1, Math.round(16 * e.weight)), 0));
      if (step % 10 === 0 || step > 290) expect(routes(picker)).toEqual(routes(fresh));
    }
    for (const e of made.values()) e.weight = 1;
  });

  it('holds ringSize × weight points per endpoint', () => {
    const picker = ringHash();
    picker.update(endpoints(1, 1, 1));
    expect(ringPoints(picker)).toBe(3 * 1024);
    picker.update(endpoints(1, 2.5, 0.001));
    expect(ringPoints(picker)).toBe(1024 + 2560 + 1);
    expect(ringPoints(roundRobinLike())).toBeUndefined();
  });

  it('halves every endpoint’s points when the ring would pass 8 388 608, and takes them back after', () => {
    const picker = ringHash({ ringSize: 4_194_305 });
    const [a, b] = endpoints(1, 1);
    picker.update([a!, b!]);
    expect(ringPoints(picker)).toBe(2 * 2_097_153); // round(4 194 305 / 2) each
    const keys = KEYS.slice(0, 100).map((key) => picker.pick({ key, tried: [] }));
    picker.update([b!]);
    expect(ringPoints(picker)).toBe(4_194_305);
    // b kept the first half of its points and got the rest back: keys it had stay.
    KEYS.slice(0, 100).forEach((key, i) => { if (keys[i] === b) expect(picker.pick({ key, tried: [] })).toBe(b); });
  });
});

/** A picker that is not a ring. */
function roundRobinLike(): Picker {
  return { name: 'other', update() {}, pick: () => undefined };
}
