// What broke: after an event-loop stall past both an attempt's deadline and the call's total deadline, the call rejects late with TimeoutError scope 'attempt' (after 1 of 3 attempts), not scope 'total'.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, roundRobin, TimeoutError, type Client } from '../../src/index.js';
import { FakeClock, untilAborted } from '../helpers/fake-clock.js';

// README, "What is retried" (Deadlines): "when the total deadline runs out the call rejects with
// a TimeoutError whose scope is 'total'. If every attempt timed out, the call rejects with the
// last attempt's TimeoutError (scope: 'attempt')". README's own example counts
// `err.scope === 'total'` as deadline exceeded. Without a stall this call gets two attempts and
// rejects at 150 ms with scope 'total'; with the loop blocked from 50 to 250 ms it rejects at
// 250 ms — its total deadline long gone, its retries not made because of it — yet says
// "attempt timed out after 100 ms", scope 'attempt', with one attempt of three made.

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

describe('an event-loop stall past the total deadline', () => {
  it('the call that ends after its total deadline passed rejects with scope total', async () => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], picker: roundRobin({ random: () => 0 }), clock,
      timeout: { attempt: 100, total: 150 }, retry: { backoff: { base: 0, cap: 0 }, budget: false },
    });
    clients.push(client);
    let attempts = 0;
    const call = client.execute((_e, { signal }) => {
      attempts++;
      return untilAborted(signal);
    }).catch((e: unknown) => e);
    await clock.advance(50);
    clock.stall(200); // the event loop is blocked from 50 to 250 ms
    await clock.advance(0);
    const err = (await call) as TimeoutError;
    expect(clock.now()).toBe(250);
    expect(attempts).toBe(1);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.scope).toBe('total');
    expect(err.timeout).toBe(150);
  });
});
