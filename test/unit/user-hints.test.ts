// What a new user hit (an outside walkthrough): `timeout: 5000`, as other clients take it, said
// only "must be an object"; a NoEndpointsError after a failed discovery said only "no endpoints
// available", with the reason hidden in `cause`. The messages now say what to do or where to look.
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient, NoEndpointsError } from '../../src/index.js';

describe('messages that say what to do', () => {
  it('timeout given as a number of ms', () => {
    let error: unknown;
    try {
      createClient({ name: 'svc', discovery: ['127.0.0.1:1'], timeout: 5000 as never });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('must be an object { attempt, total } of ms, not a number');
    // README's pointer for a number (opossum's `timeout`, per try): each attempt's limit, not the whole call's.
    expect((error as Error).message).toContain('timeout: { attempt: 5000 }');
  });

  it('NoEndpointsError points at its cause when discovery failed, without quoting it', async () => {
    const client = createClient({ name: 'svc', discovery: { watch: (_update, error) => { error(new Error('registry down: token=s3cret')); return () => {}; } } });
    try {
      const error = await client.execute(() => 'x').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NoEndpointsError);
      expect((error as Error).message).toBe('svc: no endpoints available (discovery failed: see the cause)');
      expect(((error as Error).cause as Error).message).toContain('registry down');
    } finally {
      await client.close();
    }
  });
});
