import { ConsecutiveBreaker } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { createClient, type RetryEvent } from '../../src/index.js';
import { FakeClock, outcome } from '../helpers/fake-clock.js';
import { removedAsProbed } from '../helpers/plugins.js';

// What broke: a first attempt whose endpoint the user's code had discovery remove just before it
// was sent (a picker's `update` as a probe started) ends unsent, `not sent (endpoint removed)`,
// and its retry waited the whole backoff (100 ms here), although nothing had been sent anywhere
// and a hedge in the same place is replaced at once. Nothing reached a server, so there is no
// load to back off from: the retry goes to another endpoint at once. A retry after an attempt
// that reached a server still waits its backoff.

describe('a retry after an attempt not sent because its endpoint was removed', () => {
  it('goes at once, without the backoff; a retry after a failure that reached a server still waits', async () => {
    const clock = new FakeClock();
    const { discovery, picker, arm } = removedAsProbed();
    const client = createClient({
      name: 'svc', clock, retry: { attempts: 3, backoff: { base: 100, cap: 100 }, budget: false },
      health: { breaker: () => new ConsecutiveBreaker(1), maxEjectionPercent: 100, ejectionTime: 30 },
      discovery, picker,
    });
    // 10.0.0.1 fails once: ejected for 30 ms; after that its next pick is a probe.
    const first = outcome(client.execute((e) => (e.host === '10.0.0.1' ? Promise.reject(new Error('boom')) : Promise.resolve(e.host))));
    await clock.advance(100);
    expect(first.settled).toBe(true);
    arm();
    const retries: RetryEvent[] = [];
    client.on('retry', (e) => retries.push(e));
    const sentTo: string[] = [];
    // The first endpoint it reaches fails (a retry after it waits the backoff); the next one answers.
    const call = outcome(client.execute((e) => { sentTo.push(e.host); return sentTo.length === 1 ? Promise.reject(new Error('down')) : Promise.resolve(e.host); }));
    await clock.advance(0);
    expect(sentTo).toHaveLength(1);
    expect(sentTo).not.toContain('10.0.0.1');
    expect(retries).toHaveLength(2);
    expect(retries[0]).toMatchObject({ attempt: 2, delay: 0, reason: 'not sent (endpoint removed)' });
    const backoff = retries[1]!.delay;
    expect(backoff).toBeGreaterThan(0);
    await clock.advance(Math.ceil(backoff) - 1);
    expect(sentTo).toHaveLength(1);
    await clock.advance(2);
    expect(call.value).toBe(sentTo[1]);
    await client.close();
  });
});
