// What broke (outlier detection; Envoy compares every `interval` the counts of the interval just
// over, then resets them): bulwark compares lazily, on the first attempt after the interval, and
// after a quiet spell compared counts an hour old: a burst at t=0 ejected an endpoint an hour
// later, when it was fine. The comparison now stands as of the interval's end.
import { describe, expect, it } from 'vitest';
import { flakyOn, healthClients, SIX } from '../helpers/health-client.js';

const setup = healthClients();
const six = SIX;

describe('outlier detection interval', () => {
  it('does not eject an endpoint an hour later on the counts of an interval that ended long ago', async () => {
    const { clock, client, events } = setup({
      discovery: six, retry: false,
      health: { outliers: { interval: 10_000, successRate: { requestVolume: 20 } } },
    });
    const flaky = new Set(['10.0.0.1']);
    const fn = flakyOn(flaky);
    // A burst at t = 0 in which 10.0.0.1 fails 30 % of its attempts.
    for (let i = 0; i < 300; i++) await client.execute(fn).catch(() => {});
    expect(events).toEqual([]);
    // No traffic for an hour (Envoy would have compared at t = 10 s and ejected it until t = 40 s);
    // 10.0.0.1 is fine now.
    await clock.advance(3_600_000);
    flaky.clear();
    const hosts: string[] = [];
    for (let i = 0; i < 12; i++) hosts.push(await client.execute(fn));
    // The hour-old failures should not take it out of rotation now (an ejection they caused
    // would have ended 59 minutes ago).
    expect(client.stats().endpoints[0]!.health!.status).not.toBe('ejected');
    expect(hosts).toContain('10.0.0.1');
  });
});
