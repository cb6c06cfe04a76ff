// What broke: when the user's circuitBreaker.breaker throws as a hedged call ends, the call rejects with PluginError and the hedge's answer is thrown away, yet stats().hedges.won still counts the hedge as having given the call its answer.
//
// README, stats(): `hedges: { sent, won } // hedges sent, and how many gave the call its answer`.
// Observers.callEnded (observe/observer.ts) replaces the result for the observers after the
// circuit with `{ attempt: result.attempt, verdict: 'failure', reason: 'plugin failed' }`,
// keeping the hedge attempt, and Accounting.callEnded (observe/accounting.ts) counts a 'failure'
// whose attempt is a hedge as won.
import { expect, it } from 'vitest';
import { createClient, PluginError, roundRobin } from '../../src/index.js';
import { deferred, FakeClock } from '../helpers/fake-clock.js';

it('a hedged call that fails with the circuit breaker plugin\'s PluginError does not count the hedge as won', async () => {
  const clock = new FakeClock();
  let successes = 0;
  const client = createClient({
    name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80'], clock, picker: roundRobin({ random: () => 0 }),
    hedge: { delay: 10, maxExtraLoad: 1 },
    // A breaker of the user's whose success() throws from its second call on.
    circuitBreaker: { breaker: () => ({ state: undefined, success() { if (++successes >= 2) throw new Error('breaker bug'); }, failure() { return false; } }) as never },
  });
  await client.execute(() => 'warm-up'); // earns the hedge budget a call
  const slow = deferred<string>();
  const call = client.execute((_e, { attempt }) => (attempt === 1 ? slow.promise : 'from the hedge'));
  const settled = call.then(() => undefined, (e: unknown) => e);
  await clock.advance(20);
  expect(await settled).toBeInstanceOf(PluginError);
  const s = client.stats();
  expect(s.hedges.sent).toBe(1);
  expect(s.calls).toMatchObject({ succeeded: 1, failed: 1 });
  // The caller got the PluginError, not the hedge's answer.
  expect(s.hedges.won).toBe(0);
  await client.close();
});
