// What broke: with every endpoint ejected (panicThreshold 0) a retry was announced and paid for, and the call ended with NoEndpointsError instead of its last outcome.
// Review (circuit/retry area): `panicThreshold: 0` with every endpoint ejected, and the retry stage.
// README "Endpoint health": with panicThreshold 0 and every endpoint ejected "calls fail with
// NoEndpointsError"; README "Errors": "Errors thrown by an execute function are passed through as
// they are"; "What is retried": a retry is made only when it can be, and an attempt that adds no
// load to the service draws nothing from the budget; `retry` event: "a call will try again".
import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, NoEndpointsError, roundRobin, type Client } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

function twoEndpointClient(clock: FakeClock): Client {
  const client = createClient({
    name: 'svc', clock, discovery: ['10.0.0.1:80', '10.0.0.2:80'], picker: roundRobin({ random: () => 0 }),
    retry: { attempts: 3, backoff: { base: 1, cap: 1 } },
    // One failure ejects; the max-ejection guard lets both go; panic off.
    health: { breaker: () => new ConsecutiveBreaker(1), panicThreshold: 0, maxEjectionPercent: 100 },
  });
  clients.push(client);
  return client;
}

describe('panicThreshold 0: a retry with no endpoint left to take it', () => {
  it('a call whose attempts ejected every endpoint rejects with the error its last attempt threw, not NoEndpointsError', async () => {
    const clock = new FakeClock();
    const client = twoEndpointClient(clock);
    const down = new Error('down');
    const p = client.execute(async () => { throw down; });
    p.catch(() => {});
    await clock.advance(100);
    const err = await p.catch((e: unknown) => e);
    // Both endpoints were reached and threw `down`; the third attempt had nowhere to go. The
    // caller should get `down` (the call's last outcome, as when the budget refuses a retry), or at
    // the least a NoEndpointsError whose cause is `down`; today it gets a NoEndpointsError with no cause.
    const seen = err === down || (err instanceof NoEndpointsError && err.cause === down);
    expect(seen, `rejected with ${String(err)} (cause ${String((err as Error).cause)})`).toBe(true);
  });

  it('no retry is announced, counted or paid from the budget when no endpoint can take it', async () => {
    const clock = new FakeClock();
    const client = twoEndpointClient(clock);
    const retries: number[] = [];
    client.on('retry', (e) => retries.push(e.attempt));
    const budgetBefore = client.stats().budgetRemaining!;
    const p = client.execute(async () => { throw new Error('down'); });
    p.catch(() => {});
    await clock.advance(100);
    await p.catch(() => {});
    const s = client.stats();
    expect(s.attempts).toBe(2);
    // One retry was made (attempt 2); a `retry` event for an attempt 3 that never ran, its count
    // in stats().retries and its budget token are the defect.
    expect({ retryEvents: retries, retries: s.retries, budgetSpent: budgetBefore - s.budgetRemaining! }).toEqual({ retryEvents: [2], retries: 1, budgetSpent: 1 });
  });
});
