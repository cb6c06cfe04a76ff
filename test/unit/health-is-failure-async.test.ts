// A `health.isFailure` written as an async function (plain JavaScript, or a cast) returns
// a promise bulwark cannot wait for. It must not switch health tracking off (a promise is not
// `true`, so every outcome counted as a success), nor leave its rejection unhandled.
import { ConsecutiveBreaker } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import type { HealthOutcome } from '../../src/index.js';
import { healthClients, refusedOn } from '../helpers/health-client.js';

const setup = healthClients();

describe('health.isFailure that returns a promise', () => {
  it('leaves the verdict standing, as a rule that throws does: a failing endpoint is still ejected', async () => {
    const isFailure = (async (o: HealthOutcome) => o.verdict !== 'success') as unknown as (o: HealthOutcome) => boolean;
    const { client, events } = setup({ health: { isFailure, breaker: () => new ConsecutiveBreaker(2) } });
    for (let i = 0; i < 9; i++) await client.execute(refusedOn('10.0.0.1'));
    expect(events.map((e) => [e.endpoint.host, e.status])).toEqual([['10.0.0.1', 'ejected']]);
  });

  it('whose promise rejects: no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => { unhandled.push(reason); };
    process.on('unhandledRejection', onUnhandled);
    try {
      const isFailure = (async () => { throw new Error('bug in an async rule'); }) as unknown as (o: HealthOutcome) => boolean;
      const { client } = setup({ health: { isFailure } });
      for (let i = 0; i < 3; i++) await client.execute(refusedOn('10.0.0.1'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
