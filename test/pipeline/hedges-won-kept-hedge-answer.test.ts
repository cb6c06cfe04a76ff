// What broke: `stats().hedges.won` depends on how the other attempt's error was judged: when the hedge's answer was kept and the call returned it after the first attempt failed without one, README says hedges.won does not count the hedge, yet it does when that error is judged 'failure' (and not when judged 'retry').
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, roundRobin, type Client } from '../../src/index.js';
import { deferred, FakeClock, outcome } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

/** One hedged call: the hedge answers 'busy' (kept, worth retrying), then the first attempt fails without an answer, judged `errorVerdict`. */
async function run(errorVerdict: 'retry' | 'failure'): Promise<{ value: unknown; hedges: { sent: number; won: number } }> {
  const clock = new FakeClock();
  const client = createClient({
    name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], picker: roundRobin({ random: () => 0 }), clock,
    hedge: { delay: 50, maxExtraLoad: 1 }, retry: { attempts: 2, budget: false, backoff: { base: 0, cap: 0 } },
  });
  clients.push(client);
  const answers = new Map<number, ReturnType<typeof deferred<string>>>();
  const call = outcome(client.execute((_e, { attempt }) => {
    const d = deferred<string>();
    answers.set(attempt, d);
    return d.promise;
  }, { classify: (o) => (o.ok ? (o.value === 'busy' ? 'retry' : undefined) : errorVerdict) }));
  await clock.advance(50);
  answers.get(2)!.resolve('busy'); // the hedge's answer, kept while attempt 1 runs
  await clock.advance(10);
  answers.get(1)!.reject(new Error('reset')); // attempt 1 ends with no answer of its own
  await clock.advance(10);
  expect(call.settled).toBe(true);
  return { value: call.value, hedges: client.stats().hedges };
}

describe('stats().hedges.won when the call returns the hedge\'s kept answer', () => {
  it('counts it the same whether the other attempt\'s error was judged retry or failure', async () => {
    const retried = await run('retry');
    const failed = await run('failure');
    // Both calls return the hedge's 'busy', the same way (a round ended on an attempt with no answer of its own).
    expect(retried.value).toBe('busy');
    expect(failed.value).toBe('busy');
    // README (Hedging): "...the call goes on with that answer as if it had come last: ... and `hedges.won` does not count the hedge."
    expect(retried.hedges).toEqual({ sent: 1, won: 0 });
    expect(failed.hedges).toEqual({ sent: 1, won: 0 });
  });
});
