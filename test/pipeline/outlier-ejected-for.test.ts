// What broke: an outlier ejection after a quiet spell reported its full duration as ejectedFor, not the time left.
// HealthEvent.ejectedFor is documented (src/observe/events.ts, README "Endpoint health": "the
// `health` event reports every transition ... with the reason") as "For `ejected`: how long until
// probing starts, in ms". Outlier detection runs lazily and ejects "as of the interval's end"
// (README): after a quiet spell its ejection started in the past. Defect: the event still reports
// the full ejection time, so a listener is told an endpoint is out for 30 s while stats() says
// 15 s (and, after a longer spell, one that is told 30 s is already probing in the same tick).
import { describe, expect, it } from 'vitest';
import type { HealthEvent } from '../../src/index.js';
import { flakyOn, healthClients, SIX } from '../helpers/health-client.js';

const setup = healthClients();

describe('outlier ejection event', () => {
  it("an outlier ejection's ejectedFor is the time until probing starts, as stats().nextProbeIn says", async () => {
    const { clock, client, events } = setup({
      discovery: SIX, retry: false,
      health: { outliers: { interval: 10_000, successRate: { requestVolume: 20 } } },
    });
    const fn = flakyOn(new Set(['10.0.0.1']));
    for (let i = 0; i < 300; i++) await client.execute(fn).catch(() => {});
    expect(events).toEqual([]);
    // 25 s later (the interval ended at 10 s), the next call runs the comparison.
    await clock.advance(25_000);
    await client.execute(fn).catch(() => {});
    const ejected = events.find((e) => e.status === 'ejected') as HealthEvent;
    expect(ejected?.reason).toMatch(/failure|success rate/);
    const nextProbeIn = client.stats().endpoints[0]!.health!.nextProbeIn;
    expect(nextProbeIn).toBe(15_000);
    expect(ejected.ejectedFor).toBe(nextProbeIn);
  });
});
