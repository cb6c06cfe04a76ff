import { describe, expect, it } from 'vitest';
import { createClient, roundRobin, type AttemptEvent, type ClientOptions, type EndpointInit } from '../../src/index.js';
import { FakeClock, outcome, untilAborted } from '../helpers/fake-clock.js';

// A `hedge` listener that makes discovery remove the hedge's endpoint (the hedge event's
// listeners run before it is sent): the hedge is not sent there, and its place goes at once to
// the next untried endpoint, as for a hedge that reached no server (docs/architecture.md,
// "Hedging"). The end-to-end case, with undici's pools: test/integration/hedge-listener-removes-endpoint-pool.test.ts.
// Fake clock, fake transport.

/**
 * A hedged client on a fake clock whose first `hedge` event's listener pushes `next(hedged url)`
 * as the new set; its calls' first attempt hangs and any later one answers with its endpoint's url.
 */
function hedgedClient(first: readonly string[], next: (hedged: string) => readonly string[], extra: Partial<ClientOptions> = {}, listener?: (clock: FakeClock) => void) {
  const clock = new FakeClock();
  let push!: (set: readonly EndpointInit[]) => void;
  const client = createClient({
    name: 'search', clock, health: false, retry: { budget: false }, hedge: { delay: 40, maxExtraLoad: 1 }, ...extra,
    discovery: { watch(update) { push = update; update(first); return () => {}; } },
  });
  const sentTo: string[] = [];
  const events: AttemptEvent[] = [];
  client.on('attempt', (e) => events.push(e));
  const hedged = { url: '' };
  client.on('hedge', (e) => {
    if (hedged.url !== '') return;
    hedged.url = e.endpoint.url;
    listener?.(clock);
    push(next(hedged.url));
  });
  const call = () => outcome(client.execute((e, { signal }) => {
    sentTo.push(e.url);
    return sentTo.length === 1 ? untilAborted(signal) : Promise.resolve(e.url);
  }));
  return { clock, client, sentTo, events, hedged, call };
}

describe('a hedge whose endpoint a hedge listener removed', () => {
  it('is not sent there; the next endpoint takes its place at once, and the call counts add up', async () => {
    const all = ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'];
    const { clock, client, sentTo, events, hedged, call: start } = hedgedClient(all, (url) => all.filter((u) => `http://${u}` !== url));
    // The first attempt hangs; the one that takes the hedge's place answers.
    const call = start();
    await clock.advance(39);
    expect(sentTo).toHaveLength(1);
    await clock.advance(1);
    await clock.advance(0);
    const removed = hedged.url;
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
      const { clock, client, sentTo, events, hedged, call: start } = hedgedClient(two, () => four, { subset: { size: 2, clientId }, picker: roundRobin({ random: () => 0 }) });
      const call = start();
      await clock.advance(40);
      await clock.advance(0);
      const subset = await subsetOf(client, clock);
      expect(subset).toHaveLength(2);
      const gone = !subset.includes(hedged.url);
      left.push(gone);
      if (gone) {
        // Not sent there; an untried endpoint of the new subset took its place and answered.
        expect(sentTo).not.toContain(hedged.url);
        expect(events[0]).toMatchObject({ hedge: true, verdict: 'retry', reason: 'not sent (endpoint removed)' });
        expect((events[0]!.error as Error).message).toBe(`search: no endpoints available (${hedged.url} left this client's subset before attempt 2 was sent to it)`);
        expect(call.value).toBe(sentTo[1]);
        // Still listed, and nothing reached it: booked as a cancelled attempt, not a failure
        // (a failure would follow it, with a 1 s latency penalty, back into the subset).
        const books = client.stats().endpoints.find((e) => e.url === hedged.url)!;
        expect(books).toMatchObject({ failures: 0, failuresInARow: 0, cancelled: 1, successes: 0, inflight: 0 });
      } else {
        expect(sentTo[1]).toBe(hedged.url);
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

describe('a hedge removed by its listener just before a hedge-budget bucket ends', () => {
  // The budget counts in 1 s buckets. The hedge's token is taken at 999 ms; its listener takes
  // 2 ms and removes its endpoint. Before, the token went back to the bucket of 1 001 ms (when
  // the listener was done), which held none: it was lost, and with `maxExtraLoad` allowing one
  // hedge the third endpoint never took the removed one's place.
  it.each([[959, 'across the boundary'], [500, 'within one bucket']])('gives its token back to the bucket it came from (call at %i ms: %s)', async (at) => {
    const all = ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'];
    const { clock, client, sentTo, hedged, call: start } = hedgedClient(
      all, (url) => all.filter((u) => `http://${u}` !== url),
      { timeout: { total: 10_000, attempt: 10_000 } }, (c) => c.stall(2),
    );
    await clock.advance(at);
    const call = start();
    await clock.advance(40);
    await clock.advance(0);
    expect(hedged.url).not.toBe('');
    expect(sentTo).toHaveLength(2);
    expect(sentTo).not.toContain(hedged.url);
    expect(call.value).toBe(sentTo[1]);
    await client.close();
  });
});
