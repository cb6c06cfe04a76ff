// Endpoints the active checks ejected, and whose checks have not passed since: they stay ejected
// until the checks pass, whatever the ejection time (an earlier version let the ejection end
// after its time, 'probing' while awaiting checks, to be ejected again by the next failed check).
// They take no calls, so they must not count as taking calls for the panic threshold (README:
// "fewer than panicThreshold % of the endpoints take calls"); and the real calls that panic
// sends them must not probe them: passed checks bring them back (README: "no real call probes it").
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin, type Client, type PanicEvent } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';

const { track } = closeAfterEach();

/** Three endpoints; A and B fail their first check (ejected), then their checks hang; C passes. Ends once the ejection time is over. */
async function checkedThenOver(): Promise<{ clock: FakeClock; client: Client; panics: PanicEvent[] }> {
  const clock = new FakeClock();
  const seen = new Map<string, number>();
  const client = track(createClient({
    name: 'svc', discovery: ['tcp://10.0.0.1:1', 'tcp://10.0.0.2:1', 'tcp://10.0.0.3:1'], picker: roundRobin({ random: () => 0 }), clock,
    health: {
      ejectionTime: 1_000, maxEjectionPercent: 100,
      checks: {
        interval: 10, jitter: 0, timeout: 60_000, unhealthyThreshold: 1, healthyThreshold: 1,
        check: (e) => {
          const n = (seen.get(e.host) ?? 0) + 1;
          seen.set(e.host, n);
          if (e.host === '10.0.0.3') return true;
          return n === 1 ? false : new Promise<boolean>(() => {});
        },
      },
    },
  }));
  const panics: PanicEvent[] = [];
  client.on('panic', (e) => panics.push(e));
  await until(() => client.stats().endpoints.filter((e) => e.health!.status === 'ejected').length === 2, 2_000);
  expect(panics).toEqual([{ active: true, healthy: 1, total: 3 }]);
  // The ejection time passes (on the client's clock); neither passed a check since: still out.
  await clock.advance(1_000);
  expect(client.stats().endpoints.map((e) => e.health!.status)).toEqual(['ejected', 'ejected', 'healthy']);
  return { clock, client, panics };
}

describe('endpoints awaiting their checks after an ejection', () => {
  it('do not count as taking calls: panic stays on', async () => {
    const { client, panics } = await checkedThenOver();
    expect(panics).toEqual([{ active: true, healthy: 1, total: 3 }]);
    expect(client.stats().panic).toBe(true);
  });

  it('are not probed by the real calls panic sends them: a success does not re-admit, a failure does not eject', async () => {
    const { clock, client } = await checkedThenOver();
    const events: string[] = [];
    client.on('health', (e) => events.push(`${e.endpoint.host} ${e.status} (${e.reason})`));
    const hosts: string[] = [];
    for (let i = 0; i < 6; i++) hosts.push(await client.execute((e) => e.host));
    expect(new Set(hosts)).toEqual(new Set(['10.0.0.1', '10.0.0.2', '10.0.0.3']));
    const failing = client.execute((e) => { if (e.host !== '10.0.0.3') throw new Error('down'); return e.host; });
    for (let i = 0; i < 5; i++) await clock.advance(300); // its retries' backoff
    await expect(failing).resolves.toBe('10.0.0.3');
    expect(events).toEqual([]);
    expect(client.stats().endpoints.map((e) => e.health!.status)).toEqual(['ejected', 'ejected', 'healthy']);
  });
});
