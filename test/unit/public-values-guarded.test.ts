// What broke (found by the public-API review):
// - `DEFAULTS` (exported) was not frozen, unlike CONSUL_DEFAULTS, EUREKA_DEFAULTS and the gRPC
//   defaults: `DEFAULTS.attempts = 1` from plain JavaScript changed every client created after
//   it (1 attempt, and a 5 ms deadline with `totalTimeout = 5`).
// - A BulwarkError's `name` was a getter alone: `err.name = 'X'`, which works on every Error,
//   threw a TypeError in strict code.
import { describe, expect, it } from 'vitest';
import { BulwarkError, createClient, DEFAULTS, TimeoutError } from '../../src/index.js';

describe('DEFAULTS', () => {
  it('is frozen: assigning to it throws, and new clients keep the documented defaults', async () => {
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
    expect(() => { (DEFAULTS as { attempts: number }).attempts = 1; }).toThrow(TypeError);
    const client = createClient({ name: 'svc', discovery: ['tcp://127.0.0.1:1', 'tcp://127.0.0.1:2', 'tcp://127.0.0.1:3'], retry: { backoff: { base: 1, cap: 1 } } });
    let attempts = 0;
    await client.execute(() => { attempts++; throw new Error('down'); }).catch(() => {});
    await client.close();
    expect(attempts).toBe(3);
  });
});

describe("a BulwarkError's name", () => {
  it('is the class name, and can be assigned as on any Error', () => {
    const err = new TimeoutError('svc', 'total', 100, 'test');
    expect(err.name).toBe('TimeoutError');
    err.name = 'Renamed';
    expect(err.name).toBe('Renamed');
    expect(new TimeoutError('svc', 'total', 100, 'test').name).toBe('TimeoutError');
    expect(new BulwarkError('ERR_X', 'svc', 'x').name).toBe('BulwarkError');
    expect(Object.keys(err)).not.toContain('name');
  });
});
