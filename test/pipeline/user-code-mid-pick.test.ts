// User code that runs while an attempt is being set up or torn down: a picker of the user's, a
// listener of a health event, an abort listener on the attempt's signal, a slow `attempt`
// listener. It may close the client, abort the call or take long; nothing may then start after
// close(), after the call's abort or after its deadline, and every attempt is counted once
// (README, "close()", "Deadlines", "Events").
import { ConsecutiveBreaker } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { ClientClosedError, createClient, TimeoutError, type AttemptEvent, type Client } from '../../src/index.js';
import { leastRequest, peakEwma, random, ringHash, roundRobin, weightedRoundRobin } from '../../src/pickers/index.js';
import { runsUserCode } from '../../src/pickers/check.js';
import { userPicker } from '../helpers/plugins.js';
import { FakeClock, never, outcome, untilAborted } from '../helpers/fake-clock.js';

const TWO = ['10.0.0.1:80', '10.0.0.2:80'];

/** Per endpoint, attempts sent there = successes + failures + cancelled + inflight, and no count below 0. */
function expectEndpointBooks(client: Client, events: AttemptEvent[]): void {
  const stats = client.stats();
  for (const e of stats.endpoints) {
    expect(e.inflight).toBeGreaterThanOrEqual(0);
    const sent = events.filter((a) => a.endpoint.id === e.id).length + e.inflight;
    expect(e.successes + e.failures + e.cancelled + e.inflight).toBe(sent);
  }
  expect(stats.attempts).toBe(events.length + stats.endpoints.reduce((n, e) => n + e.inflight, 0));
}

describe("the user's code during the pick", () => {
  it('built-in pickers run none of it unless given a function of the user\'s; any other picker may', () => {
    const own = (): number => 0.5;
    for (const make of [peakEwma, leastRequest, random, ringHash, roundRobin, weightedRoundRobin]) {
      expect(runsUserCode(make())).toBe(false);
      expect(runsUserCode(make({ random: own }))).toBe(true);
    }
    expect(runsUserCode(peakEwma({ now: () => 0 }))).toBe(true);
    expect(runsUserCode(ringHash({ hash: () => 0 }))).toBe(true);
    expect(runsUserCode(userPicker(() => {}))).toBe(true);
  });

  it('a picker that closes the client: the call ends with ClientClosedError and nothing is sent', async () => {
    const clock = new FakeClock();
    let client!: Client;
    client = createClient({ name: 'users', discovery: TWO, clock, health: false, picker: userPicker(() => void client.close()) });
    const events: AttemptEvent[] = [];
    client.on('attempt', (e) => events.push(e));
    let sent = 0;
    const call = outcome(client.execute(() => { sent++; return never(); }));
    await clock.advance(10);
    expect(sent).toBe(0);
    expect(call.error).toBeInstanceOf(ClientClosedError);
    expectEndpointBooks(client, events);
  });

  it("a picker that aborts the caller's signal: the call rejects at once with the reason, nothing sent", async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const client = createClient({ name: 'users', discovery: TWO, clock, health: false, picker: userPicker(() => controller.abort(reason)) });
    let sent = 0;
    const call = outcome(client.execute(() => { sent++; return never(); }, { signal: controller.signal }));
    await clock.advance(1);
    expect(sent).toBe(0);
    expect(call.error).toBe(reason);
  });

  it('a slow picker: no attempt starts past the total deadline, and the attempt timeout counts from the send', async () => {
    const clock = new FakeClock();
    const late = createClient({ name: 'late', discovery: TWO, clock, health: false, picker: userPicker(() => clock.stall(60)), timeout: { total: 30 } });
    let sent = 0;
    const call = outcome(late.execute(() => { sent++; return 'value'; }));
    await clock.advance(1);
    expect(sent).toBe(0);
    expect(call.error).toBeInstanceOf(TimeoutError);
    expect((call.error as TimeoutError).scope).toBe('total');

    const slow = createClient({ name: 'slow', discovery: TWO, clock, health: false, retry: false, picker: userPicker(() => clock.stall(60)), timeout: { attempt: 100, total: 1_000 } });
    let sentAt = -1;
    let abortedAt = -1;
    const timed = outcome(slow.execute((_, { signal }) => {
      sentAt = clock.now();
      signal.addEventListener('abort', () => { abortedAt = clock.now(); });
      return untilAborted(signal);
    }));
    await clock.advance(200);
    expect(timed.error).toBeInstanceOf(TimeoutError);
    expect(abortedAt - sentAt).toBeGreaterThanOrEqual(100);
  });

  it("a 'health' listener that closes the client as an endpoint comes up for probing: nothing is sent after close()", async () => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'users', discovery: TWO, clock, retry: { attempts: 2, budget: false },
      health: { breaker: () => new ConsecutiveBreaker(1), ejectionTime: 50, maxEjectionPercent: 100 },
      timeout: { attempt: 1_000, total: 1_500 },
    });
    // One failure ejects 10.0.0.1.
    for (let i = 0; i < 20 && client.stats().endpoints[0]!.health?.status !== 'ejected'; i++) {
      outcome(client.execute((ep) => { if (ep.host === '10.0.0.1') throw new Error('boom'); return 'ok'; }));
      await clock.advance(5);
    }
    expect(client.stats().endpoints[0]!.health?.status).toBe('ejected');
    await clock.advance(80);
    let closed = false;
    client.on('health', (e) => { if (e.status === 'probing' && !closed) { closed = true; void client.close(); } });
    let sentAfterClose = 0;
    const call = outcome(client.execute(() => { if (closed) sentAfterClose++; return never(); }));
    await clock.advance(10);
    expect(closed).toBe(true);
    expect(sentAfterClose).toBe(0);
    expect(call.error).toBeInstanceOf(ClientClosedError);
  });
});

describe('an abort listener on the attempt that ends the call', () => {
  for (const [what, act] of [
    ['aborts the caller', (c: AbortController) => c.abort(new Error('gave up'))],
    ['closes the client', (_c: AbortController, client: Client) => void client.close()],
  ] as const) {
    it(`${what} when the attempt times out: the attempt is ended and counted once`, async () => {
      const clock = new FakeClock();
      const client = createClient({ name: 'users', discovery: TWO, clock, health: false, timeout: { attempt: 50, total: 1_000 } });
      const events: AttemptEvent[] = [];
      client.on('attempt', (e) => events.push(e));
      const controller = new AbortController();
      const call = outcome(client.execute((_, { signal }) => {
        signal.addEventListener('abort', () => act(controller, client));
        return never();
      }, { signal: controller.signal }));
      await clock.advance(100);
      expect(call.settled).toBe(true);
      expect(events).toHaveLength(1);
      expectEndpointBooks(client, events);
    });
  }
});

describe("slow 'attempt' listeners", () => {
  it('a retry that no longer fits before the deadline is not announced, counted or paid for; the call ends with its last outcome', async () => {
    const clock = new FakeClock();
    const client = createClient({ name: 'users', discovery: TWO, clock, health: false, timeout: { total: 100 }, retry: { attempts: 3, backoff: { base: 1, cap: 1 } } });
    client.on('attempt', () => clock.stall(99));
    const retries: unknown[] = [];
    client.on('retry', (e) => retries.push(e));
    const budgetBefore = client.stats().budgetRemaining;
    const boom = new Error('boom');
    const call = outcome(client.execute(() => { throw boom; }));
    await clock.advance(200);
    expect(call.error).toBe(boom);
    expect(retries).toEqual([]);
    expect(client.stats().retries).toBe(0);
    expect(client.stats().budgetRemaining).toEqual(budgetBefore);
  });
});

describe('a hedge that answers with a final failure', () => {
  it('is counted as won, and the first attempt as having lost', async () => {
    const clock = new FakeClock();
    const client = createClient({ name: 'search', discovery: TWO, clock, health: false, hedge: { delay: 20, maxExtraLoad: 1 }, timeout: { attempt: 500, total: 1_000 } });
    const events: AttemptEvent[] = [];
    client.on('attempt', (e) => events.push(e));
    const fatal = new Error('fatal from the hedge');
    const call = outcome(client.execute((_, { attempt, signal }) => {
      if (attempt === 1) return untilAborted(signal);
      throw fatal;
    }, { classify: (o) => (o.ok ? 'success' : 'failure') }));
    await clock.advance(100);
    expect(call.error).toBe(fatal);
    expect(client.stats().hedges).toEqual({ sent: 1, won: 1 });
    expect(events.map((e) => [e.attempt, e.verdict, e.reason])).toEqual([[2, 'failure', 'Error'], [1, 'cancelled', 'hedge lost']]);
  });
});
