// Unknown option keys were named through the URL redaction whatever they were: `retry: {
// '@attempts': 3 }` was reported as `retry.attempts` (a valid key the user did not write, with
// "did you mean `retry.attempts`?"), and a `#note` key as `#…`. Only a key that is a URL with
// credentials is cleaned now; any other is shown as written.
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient } from '../../src/index.js';
import { thrownConfigError } from '../helpers/config-client.js';

describe('unknown option keys are named as written', () => {
  it("a key starting with '@' keeps its '@'", () => {
    const err = thrownConfigError(() => createClient({ name: 'svc', discovery: ['10.0.0.1:80'], retry: { '@attempts': 3 } as never }));
    expect(err.path).toBe('retry.@attempts');
  });

  it("a comment key '#note' in a live document is named", async () => {
    const client = createClient({ name: 'svc', discovery: ['10.0.0.1:80'] });
    try {
      const err = thrownConfigError(() => client.reconfigure({ '#note': 'raised for the incident' } as never));
      expect(err.path).toBe('config.#note');
    } finally {
      await client.close();
    }
  });
});
