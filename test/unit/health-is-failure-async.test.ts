// A `health.isFailure` written as an async function (plain JavaScript, or a cast) returns a
// promise bulwark cannot wait for, or one that answers something else than a boolean: a bug of
// the user's, which fails the call it judged with PluginError (as a classify's does) rather than
// being read one way or the other (a promise is not `true`: read as "not a failure", it would
// switch health tracking off), and leaves no rejection unhandled.
import { ConsecutiveBreaker } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import type { HealthOutcome } from '../../src/index.js';
import { healthClients, refusedOn } from '../helpers/health-client.js';

const setup = healthClients();

describe('health.isFailure that returns a promise', () => {
  it('fails the calls it judged with PluginError naming health.isFailure; nothing is ejected', async () => {
    const isFailure = (async (o: HealthOutcome) => o.verdict !== 'success') as unknown as (o: HealthOutcome) => boolean;
    const { client, events } = setup({ health: { isFailure, breaker: () => new ConsecutiveBreaker(2) } });
    const errors: unknown[] = [];
    for (let i = 0; i < 9; i++) await client.execute(refusedOn('10.0.0.1')).catch((err: unknown) => errors.push(err));
    expect(errors).toHaveLength(9);
    expect(errors[0]).toMatchObject({ name: 'PluginError', plugin: 'health.isFailure', message: 'svc: health.isFailure returned a promise, not a boolean' });
    expect(events).toEqual([]);
  });

  it.each([1, 'yes', undefined])('answering %s (not a boolean) is a PluginError too', async (answer) => {
    const isFailure = (() => answer) as unknown as (o: HealthOutcome) => boolean;
    const { client } = setup({ health: { isFailure } });
    await expect(client.execute(refusedOn('10.0.0.1'))).rejects.toMatchObject({ plugin: 'health.isFailure', message: `svc: health.isFailure returned ${typeof answer}, not a boolean` });
  });

  it('whose promise rejects: no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => { unhandled.push(reason); };
    process.on('unhandledRejection', onUnhandled);
    try {
      const isFailure = (async () => { throw new Error('bug in an async rule'); }) as unknown as (o: HealthOutcome) => boolean;
      const { client } = setup({ health: { isFailure } });
      for (let i = 0; i < 3; i++) await client.execute(refusedOn('10.0.0.1')).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
