// A hedged `execute` whose classify called a refused connection (nothing sent) a 'failure' went
// on waiting for the other attempt instead of ending the call with that failure (README,
// "Hedging": what classify calls a failure is a final answer): the hedge stage took any result
// that sent nothing for a hedge the deadline overtook. Only those now let the round wait.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, roundRobin, type Client, type Endpoint } from '../../src/index.js';
import { deferred, FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => { while (clients.length > 0) await clients.pop()!.close(); });

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 10.0.0.2:80'), { code: 'ECONNREFUSED', syscall: 'connect' });

describe('execute + hedge: classify\'s failure on an unsent hedge is final', () => {
  it('a hedge refused and classified failure ends the call at once', async () => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80'], picker: roundRobin({ random: () => 0 }), clock,
      hedge: { delay: 50, maxExtraLoad: 1 }, retry: { backoff: { base: 0, cap: 0 }, budget: false },
    });
    clients.push(client);
    const slow = deferred<string>();
    const fn = (endpoint: Endpoint): Promise<string> => (endpoint.host === '10.0.0.1' ? slow.promise : Promise.reject(refused()));
    const call = client.execute(fn, { classify: (o) => (o.ok ? undefined : 'failure') });
    const settled = call.then((v) => ({ value: v }), (e: unknown) => ({ error: e }));
    await clock.advance(60); // the hedge (attempt 2, on 10.0.0.2) is sent and refused
    let result: unknown;
    void settled.then((r) => { result = r; });
    await clock.advance(1);
    expect(result).toMatchObject({ error: { code: 'ECONNREFUSED' } });
    slow.resolve('slow answer');
    await settled;
  });
});
