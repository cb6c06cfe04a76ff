// What broke: when a hedge round ended on an attempt with no answer of its own and an earlier
// attempt's answer was kept (a value a classify retries), the call returned the earlier answer
// but `stats().hedges.won` counted the hedge, which gave the call nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, roundRobin, type AttemptEvent, type Client } from '../../src/index.js';
import { deferred, FakeClock, outcome } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

describe('stats().hedges.won', () => {
  it('does not count a hedge whose own outcome was not the answer the call returned', async () => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], picker: roundRobin({ random: () => 0 }), clock,
      hedge: { delay: 50, maxExtraLoad: 1 }, retry: { attempts: 2, budget: false, backoff: { base: 0, cap: 0 } },
    });
    clients.push(client);
    const attempts: AttemptEvent[] = [];
    client.on('attempt', (e) => attempts.push(e));
    const answers = new Map<number, ReturnType<typeof deferred<string>>>();
    const call = client.execute((_e, { attempt }) => {
      const d = deferred<string>();
      answers.set(attempt, d);
      return d.promise;
    }, {
      // 'busy' is worth retrying; an error is final (the user does not want errors retried).
      classify: (o) => (o.ok ? (o.value === 'busy' ? 'retry' : undefined) : 'failure'),
    });
    const result = outcome(call);
    await clock.advance(50);
    expect(answers.size).toBe(2);
    // The first attempt answers 'busy' (kept while the hedge runs), then the hedge fails.
    answers.get(1)!.resolve('busy');
    await clock.advance(10);
    answers.get(2)!.reject(new Error('hedge failed'));
    await clock.advance(10);
    expect(result.settled).toBe(true);
    // The caller gets the first attempt's 'busy', as it would without hedging.
    expect(result.value).toBe('busy');
    expect(attempts.map((a) => [a.attempt, a.hedge, a.verdict])).toEqual([[1, false, 'retry'], [2, true, 'failure']]);
    // README: "`hedges.won`: how many [hedges] gave the call its answer". The answer was attempt 1's.
    expect(client.stats().hedges).toEqual({ sent: 1, won: 0 });
  });
});
