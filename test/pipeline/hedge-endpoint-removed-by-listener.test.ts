import { describe, expect, it } from 'vitest';
import { createClient, roundRobin, type AttemptEvent, type EndpointInit } from '../../src/index.js';
import { FakeClock, outcome, untilAborted } from '../helpers/fake-clock.js';

// A `hedge` listener that makes discovery remove the hedge's endpoint (the hedge event's
// listeners run before it is sent): the hedge is not sent there, and its place goes at once to
// the next untried endpoint, as for a hedge that reached no server (docs/architecture.md,
// "Hedging"). The end-to-end case, with undici's pools: test/integration/hedge-listener-removes-endpoint-pool.test.ts.
// Fake clock, fake transport.

describe('a hedge whose endpoint a hedge listener removed', () => {
  it('is not sent there; the next endpoint takes its place at once, and the call counts add up', async () => {
    const clock = new FakeClock();
    const all = ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'];
    let push!: (set: readonly EndpointInit[]) => void;
    const client = createClient({
      name: 'search', clock, health: false, retry: { budget: false },
      discovery: { watch(update) { push = update; update(all); return () => {}; } },
      hedge: { delay: 40, maxExtraLoad: 1 },
    });
    const sentTo: string[] = [];
    const events: AttemptEvent[] = [];
    client.on('attempt', (e) => events.push(e));
    let removed = '';
    client.on('hedge', (e) => {
      if (removed !== '') return;
      removed = e.endpoint.url;
      push(all.filter((u) => `http://${u}` !== removed));
    });
    const call = outcome(client.execute((e, { signal }) => {
      sentTo.push(e.url);
      // The first attempt hangs; the one that takes the hedge's place answers.
      return sentTo.length === 1 ? untilAborted(signal) : Promise.resolve(e.url);
    }));
    await clock.advance(39);
    expect(sentTo).toHaveLength(1);
    await clock.advance(1);
    await clock.advance(0);
    expect(removed).not.toBe('');
    expect(sentTo).toHaveLength(2);
    expect(sentTo).not.toContain(removed);
    expect(call.value).toBe(sentTo[1]);
    expect(events.map((e) => [e.endpoint.url === removed, e.hedge, e.verdict, e.reason])).toEqual([
      [true, true, 'retry', 'not sent (endpoint removed)'],
      [false, true, 'success', 'value'],
      [false, false, 'cancelled', 'hedge lost'],
    ]);
    const stats = client.stats();
    // Every hedge event counts, the one not sent too (as one the deadline overtook before it went).
    expect(stats).toMatchObject({ calls: { started: 1, succeeded: 1, failed: 0 }, attempts: 3, retries: 0, hedges: { sent: 2, won: 1 } });
    expect(stats.endpoints.map((e) => e.url)).not.toContain(removed);
    await client.close();
  });
});

describe("a hedge whose endpoint a hedge listener's discovery change left out of the subset", () => {
  // Four endpoints, subsets of two: clients 0 and 1 of a round get disjoint halves, so the
  // hedge's endpoint leaves exactly one of the two clients' subsets.
  it('is not sent there (it is still listed, but its pool or channel is no longer kept)', async () => {
    const two = ['10.0.0.1:80', '10.0.0.2:80'];
    const four = [...two, '10.0.0.3:80', '10.0.0.4:80'];
    const left: boolean[] = [];
    for (const clientId of [0, 1]) {
      const clock = new FakeClock();
      let push!: (set: readonly EndpointInit[]) => void;
      const client = createClient({
        name: 'search', clock, health: false, retry: { budget: false }, subset: { size: 2, clientId }, picker: roundRobin({ random: () => 0 }),
        discovery: { watch(update) { push = update; update(two); return () => {}; } },
        hedge: { delay: 40, maxExtraLoad: 1 },
      });
      const sentTo: string[] = [];
      const events: AttemptEvent[] = [];
      client.on('attempt', (e) => events.push(e));
      let hedgeUrl = '';
      client.on('hedge', (e) => {
        if (hedgeUrl !== '') return;
        hedgeUrl = e.endpoint.url;
        push(four);
      });
      const call = outcome(client.execute((e, { signal }) => {
        sentTo.push(e.url);
        return sentTo.length === 1 ? untilAborted(signal) : Promise.resolve(e.url);
      }));
      await clock.advance(40);
      await clock.advance(0);
      const subset = await subsetOf(client, clock);
      expect(subset).toHaveLength(2);
      const gone = !subset.includes(hedgeUrl);
      left.push(gone);
      if (gone) {
        // Not sent there; an untried endpoint of the new subset took its place and answered.
        expect(sentTo).not.toContain(hedgeUrl);
        expect(events[0]).toMatchObject({ hedge: true, verdict: 'retry', reason: 'not sent (endpoint removed)' });
        expect(call.value).toBe(sentTo[1]);
      } else {
        expect(sentTo[1]).toBe(hedgeUrl);
      }
      await clock.advance(1_000);
      expect(call.settled).toBe(true);
      await client.close();
    }
    expect(left.filter(Boolean)).toHaveLength(1);
  });
});

/** The endpoints this client's calls now go to (its subset): a round-robin picker's 4 next calls reach both. */
async function subsetOf(client: ReturnType<typeof createClient>, clock: FakeClock): Promise<string[]> {
  const calls = [0, 1, 2, 3].map(() => outcome(client.execute((e) => Promise.resolve(e.url), { hedge: false })));
  await clock.advance(0);
  return [...new Set(calls.map((c) => c.value as string))].sort();
}
