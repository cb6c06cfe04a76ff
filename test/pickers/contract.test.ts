import { describe, it, expect } from 'vitest';
import { LiveEndpoint, type EndpointState } from '../../src/endpoints/endpoint.js';
import { parseEndpoint } from '../../src/endpoints/parse.js';
import { ConfigError } from '../../src/errors.js';
import * as pickers from '../../src/pickers/index.js';
import type { Picker } from '../../src/pickers/picker.js';
import { mulberry32 } from '../helpers/prng.js';

function endpoints(count: number, firstPort = 8001): EndpointState[] {
  return Array.from({ length: count }, (_, i) => new LiveEndpoint(parseEndpoint({ host: '127.0.0.1', port: firstPort + i, weight: 1 + (i % 3) }), 10_000, 0));
}

const factories: Record<string, (seed: number) => Picker> = {
  roundRobin: (seed) => pickers.roundRobin({ random: mulberry32(seed) }),
  random: (seed) => pickers.random({ random: mulberry32(seed) }),
  weightedRoundRobin: (seed) => pickers.weightedRoundRobin({ random: mulberry32(seed) }),
  leastRequest: (seed) => pickers.leastRequest({ random: mulberry32(seed) }),
  peakEwma: (seed) => pickers.peakEwma({ random: mulberry32(seed), now: () => 0 }),
  ringHash: (seed) => pickers.ringHash({ random: mulberry32(seed) }),
};

describe.each(Object.entries(factories))('%s follows the Picker contract', (name, create) => {
  it('is named after its factory', () => {
    expect(create(1).name).toBe(name);
  });

  it('shares its pick and update functions with every other instance', () => {
    // One function for every client's picker: V8 optimizes and inlines it once for all of them,
    // where a closure per instance made a process with two clients 40–55 % dearer per call.
    const [a, b] = [create(9), create(10)];
    expect(a.pick).toBe(b.pick);
    expect(a.update).toBe(b.update);
  });

  it('returns undefined only when it has no candidates', () => {
    const picker = create(2);
    expect(picker.pick({ key: 'k', tried: [] })).toBeUndefined();
    picker.update([]);
    expect(picker.pick({ key: undefined, tried: [] })).toBeUndefined();
    const list = endpoints(1);
    picker.update(list);
    expect(picker.pick({ key: 'k', tried: [] })).toBe(list[0]);
    expect(picker.pick({ key: undefined, tried: list })).toBe(list[0]);
  });

  it('returns an untried endpoint whenever one exists, and a candidate when none does', () => {
    const random = mulberry32(3);
    const stale = endpoints(2, 9001);
    const picker = create(4);
    const violations: string[] = [];
    for (let round = 0; round < 40; round++) {
      const list = endpoints(1 + Math.floor(random() * 9));
      picker.update(list);
      for (let call = 0; call < 50; call++) {
        const key = random() < 0.5 ? `key-${Math.floor(random() * 100)}` : undefined;
        const tried: EndpointState[] = [];
        for (let attempt = 0; attempt < list.length + 2; attempt++) {
          const e = picker.pick({ key, tried });
          if (e === undefined || !list.includes(e)) violations.push(`round ${round}: not a candidate`);
          else if (tried.includes(e) && list.some((c) => !tried.includes(c))) violations.push(`round ${round}: tried again`);
          tried.push(e!);
          if (random() < 0.2) tried.push(stale[Math.floor(random() * 2)]!); // gone since
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps no state shared between instances', () => {
    const list = endpoints(4);
    const a = create(5);
    const b = create(5);
    a.update(list);
    b.update(list);
    for (let i = 0; i < 7; i++) a.pick({ key: undefined, tried: [] });
    const c = create(5);
    c.update(list);
    for (let i = 0; i < 20; i++) expect(b.pick({ key: 'same', tried: [] })).toBe(c.pick({ key: 'same', tried: [] }));
  });
});

describe('picker options are validated when the factory is called', () => {
  const cases: [string, () => unknown, string][] = [
    ['roundRobin', () => pickers.roundRobin('fast' as never), 'bulwark: roundRobin must be an object, got "fast"'],
    ['roundRobin.random', () => pickers.roundRobin({ random: 0.5 as never }), 'bulwark: roundRobin.random must be a function returning numbers in [0, 1), got 0.5'],
    ['random.random', () => pickers.random({ random: 'x' as never }), 'bulwark: random.random must be a function'],
    ['weightedRoundRobin', () => pickers.weightedRoundRobin(null as never), 'bulwark: weightedRoundRobin must be an object, got null'],
    ['weightedRoundRobin.random', () => pickers.weightedRoundRobin({ random: {} as never }), 'weightedRoundRobin.random must be a function'],
    ['leastRequest.choices', () => pickers.leastRequest({ choices: 1 }), 'bulwark: leastRequest.choices must be an integer ≥ 2 (at most 100), got 1'],
    ['leastRequest.choices', () => pickers.leastRequest({ choices: 2.5 }), 'leastRequest.choices must be an integer ≥ 2'],
    ['leastRequest.choices', () => pickers.leastRequest({ choices: '3' as never }), 'leastRequest.choices must be an integer ≥ 2'],
    ['leastRequest.random', () => pickers.leastRequest({ random: 1 as never }), 'leastRequest.random must be a function'],
    ['peakEwma.decay', () => pickers.peakEwma({ decay: 0 }), 'bulwark: peakEwma.decay must be a finite number of ms > 0, got 0'],
    ['peakEwma.decay', () => pickers.peakEwma({ decay: Number.POSITIVE_INFINITY }), 'peakEwma.decay must be a finite number of ms > 0'],
    ['peakEwma.decay', () => pickers.peakEwma({ decay: -5 }), 'peakEwma.decay must be a finite number of ms > 0'],
    ['peakEwma.now', () => pickers.peakEwma({ now: Date.now() as never }), 'peakEwma.now must be a function'],
    ['peakEwma.random', () => pickers.peakEwma({ random: [] as never }), 'peakEwma.random must be a function'],
    ['ringHash.ringSize', () => pickers.ringHash({ ringSize: 0 }), 'bulwark: ringHash.ringSize must be an integer ≥ 1 (at most 8388608), got 0'],
    ['ringHash.ringSize', () => pickers.ringHash({ ringSize: 1.5 }), 'ringHash.ringSize must be an integer ≥ 1'],
    ['ringHash.ringSize', () => pickers.ringHash({ ringSize: 2 ** 24 }), 'ringHash.ringSize must be an integer ≥ 1'],
    ['ringHash.hash', () => pickers.ringHash({ hash: 'xxhash' as never }), 'ringHash.hash must be a function'],
    ['ringHash.random', () => pickers.ringHash({ random: true as never }), 'ringHash.random must be a function'],
  ];

  it.each(cases)('%s', (path, create, message) => {
    let error: unknown;
    try {
      create();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toBe(path);
    expect((error as ConfigError).code).toBe('ERR_BULWARK_CONFIG');
    expect((error as ConfigError).message).toContain(message);
  });

  it('accepts every option at its edge', () => {
    expect(() => pickers.leastRequest({ choices: 100 })).not.toThrow();
    expect(() => pickers.ringHash({ ringSize: 1 })).not.toThrow();
    expect(() => pickers.ringHash({ ringSize: 8_388_608 })).not.toThrow();
    expect(() => pickers.peakEwma({ decay: 0.001 })).not.toThrow();
    expect(() => pickers.roundRobin({})).not.toThrow();
    expect(() => pickers.random(undefined)).not.toThrow();
  });
});

describe('pickers/index', () => {
  it('exports exactly the six factories', () => {
    expect(Object.keys(pickers).sort()).toEqual(['leastRequest', 'peakEwma', 'random', 'ringHash', 'roundRobin', 'weightedRoundRobin']);
  });
});
