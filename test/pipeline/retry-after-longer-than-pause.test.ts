// What broke: a retry after a Retry-After longer than DEFAULTS.maxPause sleeps the whole Retry-After, long after the endpoint's (capped) pause ended and new calls already go there.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, DEFAULTS, type Client } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

// README, "Endpoint health": an endpoint that answers with Retry-After "is left alone for as long
// as it asked, at most 30 s (DEFAULTS.maxPause, as undici's RetryHandler honours Retry-After up
// to its maxTimeout, 30 s) … while the retry of a call that got the Retry-After waits for the
// pause". undici's RetryHandler waits min(Retry-After, maxTimeout). Here the pause ends after
// 30 s (stats() says so, and a new call goes there then), but the call's own retry waits 100 s.

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

describe('Retry-After longer than the longest pause', () => {
  it('the retry of the call that got it waits for the pause (at most maxPause), not the whole Retry-After', async () => {
    const clock = new FakeClock();
    const sent: number[] = [];
    const fetch = async (): Promise<Response> => {
      sent.push(clock.now());
      return new Response('busy', { status: 503, headers: { 'retry-after': '100' } });
    };
    const client = createClient({
      name: 'svc', discovery: ['http://10.0.0.1:80'], clock, fetch: fetch as typeof globalThis.fetch,
      timeout: { attempt: 10_000, total: 300_000 }, retry: { attempts: 2, budget: false, backoff: { base: 0, cap: 0 } },
    });
    clients.push(client);
    const delays: number[] = [];
    client.on('retry', (e) => delays.push(e.delay));
    const call = client.fetch('/x');
    call.catch(() => {});
    await clock.advance(0);
    expect(sent).toEqual([0]);
    // The endpoint's own pause is capped at maxPause (30 s).
    expect(client.stats().endpoints[0]!.health?.pausedFor).toBe(DEFAULTS.maxPause);
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeLessThanOrEqual(DEFAULTS.maxPause);
    await clock.advance(DEFAULTS.maxPause + 1);
    // By the end of the pause the retry has been sent (new calls go to the endpoint by then).
    expect(sent.length).toBe(2);
    expect(sent[1]).toBeLessThanOrEqual(DEFAULTS.maxPause + 1);
    await clock.advance(300_000);
    await call;
  });
});
