// Two arguments of the wrong kind that were not named as such:
// - `staticDiscovery('10.0.0.1:8080')` (a string, not an array) was read character by character,
//   and createClient then failed on `discovery[0]`, "got \"1\"". It is now a ConfigError saying an
//   array is needed.
// - `createUndiciClient(undefined | null | 'users')` threw "name must be a non-empty string",
//   where createClient and every adapter say `options` must be an object.
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient, staticDiscovery } from '../../src/index.js';
import { createUndiciClient } from '../../src/undici/index.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('staticDiscovery given a string instead of an array', () => {
  it('is refused with a ConfigError saying an array is needed, not one about a character of the string', () => {
    const err = thrown(() => createClient({ name: 'users', discovery: staticDiscovery('10.0.0.1:8080' as unknown as string[]) }));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/must be an array/);
    expect((err as ConfigError).path).toBe('endpoints');
  });
});

describe('createUndiciClient given options that are not an object', () => {
  it.each([undefined, null, 'users'])('%j is refused as createClient refuses it: path `options`, not `name`', (value) => {
    expect((thrown(() => createClient(value as never)) as ConfigError).path).toBe('options');
    const err = thrown(() => createUndiciClient(value as never));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).path).toBe('options');
  });
});
