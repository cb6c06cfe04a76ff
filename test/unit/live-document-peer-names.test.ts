// What broke: `reconfigure({ retries: 0 })` (p-retry's name, or a nested `attempts` at the top) was refused with only the list of live options, while createClient points the same key at `retry.attempts`: README says a document is checked as createClient's options are.
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient } from '../../src/index.js';

describe('a live document with another library\'s option name', () => {
  it.each([
    [{ retries: 0 }, '`retry.attempts` (retries + 1)'],
    [{ maxAttempts: 2 }, '`retry.attempts` (maxAttempts + 1)'],
    [{ attempts: 2 }, 'did you mean `retry.attempts`?'],
    [{ minTimeout: 100 }, '`retry.backoff: { base, cap }`'],
  ])('%j gets the pointer createClient gives', async (document, hint) => {
    const client = createClient({ name: 'svc', discovery: ['127.0.0.1:1'] });
    try {
      let error: unknown;
      try {
        client.reconfigure(document as never);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain(hint);
      expect((error as ConfigError).message).toContain(`config.${Object.keys(document)[0]}`);
    } finally {
      await client.close();
    }
  });

  it('a createClient option that is not live still says so', async () => {
    const client = createClient({ name: 'svc', discovery: ['127.0.0.1:1'] });
    try {
      expect(() => client.reconfigure({ picker: 1 } as never)).toThrow(/cannot change while the client runs/);
    } finally {
      await client.close();
    }
  });
});
