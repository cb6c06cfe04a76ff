import { ConsecutiveBreaker, type IBreaker } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { createClient, NoEndpointsError, type AttemptEvent } from '../../src/index.js';
import { FakeClock, outcome } from '../helpers/fake-clock.js';
import { removedAsProbed } from '../helpers/plugins.js';

// The user's code that runs between the pick and the send of a first attempt: a picker's
// `update`, called as a probe of an ejected endpoint starts (its probe slots are full, so it
// leaves the candidates), makes discovery remove that endpoint. The attempt is not sent there
// (nothing may open connections to a host discovery no longer lists); it ends `'retry'`, `not
// sent (endpoint removed)`, and the call goes on to another endpoint, or, with no attempt left,
// fails with a NoEndpointsError that says what happened, and the circuit breaker counts nothing
// of a call that sent nothing. Fake clock, fake transport.

function probedClient(attempts: number) {
  const clock = new FakeClock();
  const { discovery, picker, arm } = removedAsProbed();
  // What the service-level circuit breaker hears of each call.
  const heard: string[] = [];
  const breaker: IBreaker = { state: undefined, success: () => { heard.push('success'); }, failure: () => { heard.push('failure'); return false; } };
  const client = createClient({
    name: 'svc', clock, retry: { attempts, backoff: { base: 0, cap: 0 }, budget: false }, circuitBreaker: { breaker: () => breaker },
    health: { breaker: () => new ConsecutiveBreaker(1), maxEjectionPercent: 100, ejectionTime: 30 },
    discovery, picker,
  });
  const events: AttemptEvent[] = [];
  client.on('attempt', (e) => events.push(e));
  return { clock, client, events, heard, arm };
}

describe('a probe whose endpoint a picker update removed before it was sent', () => {
  it.each([
    [2, 'goes on to another endpoint'],
    [1, 'fails with a NoEndpointsError saying so when no attempt is left'],
  ])('retry.attempts %i: %s', async (attempts) => {
    const { clock, client, events, heard, arm } = probedClient(attempts);
    // 10.0.0.1 fails once: ejected for 30 ms.
    const first = outcome(client.execute((e) => (e.host === '10.0.0.1' ? Promise.reject(new Error('boom')) : Promise.resolve(e.host))));
    await clock.advance(0);
    expect(first.settled).toBe(true);
    expect(client.stats().endpoints[0]!.health!.status).toBe('ejected');
    await clock.advance(31);
    arm();
    events.length = 0;
    heard.length = 0;
    const sentTo: string[] = [];
    const call = outcome(client.execute((e) => { sentTo.push(e.host); return Promise.resolve(e.host); }));
    await clock.advance(0);
    expect(sentTo).not.toContain('10.0.0.1');
    expect(events[0]).toMatchObject({ verdict: 'retry', reason: 'not sent (endpoint removed)' });
    expect(client.endpoints().map((e) => e.host)).toEqual(['10.0.0.2', '10.0.0.3']);
    if (attempts === 2) {
      expect(call.value).toBe(sentTo[0]);
      expect(sentTo).toHaveLength(1);
      expect(heard).toEqual(['success']);
    } else {
      expect(call.error).toBeInstanceOf(NoEndpointsError);
      expect((call.error as Error).message).toBe('svc: no endpoints available (http://10.0.0.1:80 was removed before attempt 1 was sent to it)');
      expect(sentTo).toEqual([]);
      // A call that sent nothing says nothing about the service: the circuit hears nothing of it.
      expect(heard).toEqual([]);
    }
    await client.close();
  });
});
