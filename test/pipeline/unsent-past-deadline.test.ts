// An attempt whose start is held up by the user's own code (a picker of theirs, a 'hedge'
// listener) until the call's total deadline has passed is never sent: it ends unjudged
// ('cancelled', reason 'not sent (call timeout)'), so it counts neither against its endpoint's health nor
// as its latency, and the call rejects with the total TimeoutError (README, "Events").
import { ConsecutiveBreaker } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { createClient, TimeoutError, type AttemptEvent } from '../../src/index.js';
import { userPicker } from '../helpers/plugins.js';
import { FakeClock, outcome, untilAborted } from '../helpers/fake-clock.js';

const TWO = ['10.0.0.1:80', '10.0.0.2:80'];

describe('an attempt held up past the total deadline by user code is not sent and not judged', () => {
  it("a slow picker of the user's: the endpoint keeps its health and its latency", async () => {
    const clock = new FakeClock();
    let stall = 0;
    const client = createClient({
      name: 'users', discovery: TWO, clock, picker: userPicker(() => clock.stall(stall)),
      health: { breaker: () => new ConsecutiveBreaker(1) }, timeout: { total: 30 },
    });
    const events: AttemptEvent[] = [];
    client.on('attempt', (e) => events.push(e));
    const ok = outcome(client.execute(() => 'value'));
    await clock.advance(1);
    expect(ok.value).toBe('value');
    const before = client.stats().endpoints[0]!.latency;

    stall = 60;
    let sent = 0;
    const call = outcome(client.execute(() => { sent++; return 'value'; }));
    await clock.advance(1);
    expect(sent).toBe(0);
    expect(call.error).toBeInstanceOf(TimeoutError);
    expect((call.error as TimeoutError).scope).toBe('total');
    expect(events.map((e) => [e.verdict, e.reason])).toEqual([['success', 'value'], ['cancelled', 'not sent (call timeout)']]);
    expect(events[1]!.error).toBe(call.error);
    const ep = client.stats().endpoints[0]!;
    expect(ep.health?.status).toBe('healthy');
    expect([ep.successes, ep.failures, ep.cancelled, ep.inflight]).toEqual([1, 0, 1, 0]);
    expect(ep.latency).toBe(before);
    await client.close();
  });

  it("a slow 'hedge' listener: the hedge is not judged; the first attempt, sent and unanswered, times out as usual", async () => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'search', discovery: TWO, clock, hedge: { delay: 20, maxExtraLoad: 1 },
      health: { breaker: () => new ConsecutiveBreaker(1), maxEjectionPercent: 100 }, timeout: { attempt: 500, total: 100 },
    });
    client.on('hedge', () => clock.stall(200));
    const events: AttemptEvent[] = [];
    client.on('attempt', (e) => events.push(e));
    let sent = 0;
    const call = outcome(client.execute((_, { signal }) => { sent++; return untilAborted(signal); }));
    await clock.advance(50);
    expect(call.error).toBeInstanceOf(TimeoutError);
    expect((call.error as TimeoutError).scope).toBe('total');
    expect(sent).toBe(1);
    expect(events.map((e) => [e.attempt, e.hedge, e.verdict, e.reason])).toEqual([[2, true, 'cancelled', 'not sent (call timeout)'], [1, false, 'retry', 'call timeout']]);
    expect(call.error).toBe(events[1]!.error);
    const [hedged, first] = [events[0]!.endpoint.id, events[1]!.endpoint.id];
    expect(first).not.toBe(hedged);
    const byId = new Map(client.stats().endpoints.map((e) => [e.id, e]));
    expect(byId.get(first)!.failures).toBe(1);
    expect(byId.get(hedged)!.failures).toBe(0);
    expect(byId.get(hedged)!.cancelled).toBe(1);
    expect(byId.get(hedged)!.health?.status).toBe('healthy');
    await client.close();
  });
});
