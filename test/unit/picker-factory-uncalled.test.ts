// A new user wrote `picker: peakEwma` (the factory, not called): the ConfigError said only
// "must be a Picker …, got a function". It now says to call it.
import { expect, it } from 'vitest';
import { ConfigError, createClient, peakEwma, roundRobin } from '../../src/index.js';

it('a picker factory given uncalled is refused with a ConfigError that says to call it', () => {
  for (const factory of [peakEwma, roundRobin]) {
    let error: unknown;
    try {
      createClient({ name: 'svc', discovery: ['127.0.0.1:1'], picker: factory as never });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toBe('picker');
    expect((error as ConfigError).message).toContain(`(a picker factory? call it: \`${factory.name}()\`), got a function`);
  }
});

it('an object without pick is refused without that hint', () => {
  expect(() => createClient({ name: 'svc', discovery: ['127.0.0.1:1'], picker: {} as never })).toThrow(/must be a Picker \(\{ name, update\(endpoints\), pick\(request\) \}\), got/);
});
