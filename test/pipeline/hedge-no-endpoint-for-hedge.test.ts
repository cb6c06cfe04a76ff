// What broke: with panic off (`panicThreshold: 0`), a hedged call whose attempt is still running fails with NoEndpointsError (its running attempt cancelled as "hedge lost") when the hedge delay passes while every endpoint is ejected, although that attempt was about to answer and the same call without hedging succeeds.
import { afterEach, describe, expect, it } from 'vitest';
import { ConsecutiveBreaker, createClient, roundRobin, type AttemptEvent, type Client, type EndpointState, type Picker } from '../../src/index.js';
import { deferred, FakeClock, outcome } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

describe('a hedge that no endpoint can take', () => {
  it('is not sent, and the running attempt still answers the call (as a retry is not made when no endpoint would take it)', async () => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80'], picker: roundRobin({ random: () => 0 }), clock,
      hedge: { delay: 50, maxExtraLoad: 1 }, retry: { attempts: 3, budget: false, backoff: { base: 0, cap: 0 } },
      // Panic off: ejected endpoints never take calls (the README's NoEndpointsError case).
      health: { breaker: () => new ConsecutiveBreaker(1), ejectionTime: 60_000, maxEjectionPercent: 100, panicThreshold: 0 },
    });
    clients.push(client);
    const attempts: AttemptEvent[] = [];
    client.on('attempt', (e) => attempts.push(e));

    // The call under test: its first attempt (to 10.0.0.1) is slow but will answer.
    const slow = deferred<string>();
    const call = outcome(client.execute(() => slow.promise));

    // Meanwhile other calls fail on both endpoints, which are ejected (one failure opens a breaker).
    const failing = client.execute(() => Promise.reject(new Error('boom')), { hedge: false });
    failing.catch(() => {});
    await clock.advance(10);
    expect(client.stats().endpoints.map((e) => e.health?.status)).toEqual(['ejected', 'ejected']);

    // The hedge delay passes: there is no endpoint to hedge to.
    await clock.advance(40);
    // The first attempt answers a moment later.
    slow.resolve('answer');
    await clock.advance(10);

    expect(call.settled).toBe(true);
    // Without hedging this call resolves with 'answer'; the hedge that could not be sent must not change that.
    expect(call.error).toBeUndefined();
    expect(call.value).toBe('answer');
    const mine = attempts.filter((a) => a.attempt === 1 && a.endpoint.id === 'http://10.0.0.1:80' && a.verdict !== 'failure');
    expect(mine.map((a) => [a.verdict, a.reason])).toEqual([['success', 'value']]);
    expect(client.stats().hedges.sent).toBe(0);
  });

  it("is not sent when the user's picker has no endpoint for it, and the running attempt answers the call", async () => {
    const clock = new FakeClock();
    // A picker that sends every call to its first endpoint and has nothing else to offer (a pinned primary).
    let first: EndpointState | undefined;
    const pinned: Picker = {
      name: 'pinned',
      update(endpoints) { first = endpoints[0]; },
      pick(request) { return first !== undefined && !request.tried.includes(first) ? first : undefined; },
    };
    const client = createClient({
      name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80'], picker: pinned, clock,
      hedge: { delay: 50, maxExtraLoad: 1 }, retry: { attempts: 3, budget: false, backoff: { base: 0, cap: 0 } },
    });
    clients.push(client);
    const slow = deferred<string>();
    const call = outcome(client.execute(() => slow.promise));
    await clock.advance(60);
    slow.resolve('answer');
    await clock.advance(10);
    expect(call.error).toBeUndefined();
    expect(call.value).toBe('answer');
    expect(client.stats().hedges).toEqual({ sent: 0, won: 0 });
  });
});
