// What broke: a hedged call whose sent attempt failed (it reached a server) and whose hedge then failed without reaching one (connection refused) was retried without drawing on the retry budget, because the round's last result carried the hedge's `notSent`.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, roundRobin, type Client } from '../../src/index.js';
import { deferred, FakeClock } from '../helpers/fake-clock.js';

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 10.0.0.2:80'), { code: 'ECONNREFUSED' });

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

describe('retry budget after a hedged round', () => {
  it('a round in which an attempt reached a server is retried only if the budget pays for it', async () => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], picker: roundRobin({ random: () => 0 }), clock, health: false,
      // A budget that allows no retry at all: every retry that adds load must be refused.
      retry: { attempts: 3, budget: { ratio: 0, minPerSecond: 0 }, backoff: { base: 0, cap: 0 } },
      // maxExtraLoad 1: the first call may send one hedge.
      hedge: { delay: 50, maxExtraLoad: 1 },
    });
    clients.push(client);
    const exhausted: unknown[] = [];
    const retries: unknown[] = [];
    client.on('budgetExhausted', (e) => exhausted.push(e));
    client.on('retry', (e) => retries.push(e));
    const first = deferred<string>();
    const hedge = deferred<string>();
    const reached: number[] = [];
    const call = client.execute((_e, { attempt }) => {
      reached.push(attempt);
      if (attempt === 1) return first.promise; // reaches the server, fails after 100 ms
      if (attempt === 2) return hedge.promise; // the hedge: its connection is refused, at 150 ms
      return 'third attempt';
    });
    call.catch(() => {});
    await clock.advance(60); // the hedge is sent at 50 ms
    expect(client.stats().hedges.sent).toBe(1);
    await clock.advance(40);
    first.reject(new Error('500-ish: the server failed the request')); // a failure worth retrying, sent
    await clock.advance(50);
    hedge.reject(refused()); // the round ends on the refused hedge
    await clock.advance(10);
    await call.then(() => {}, () => {});
    // The first attempt loaded a server and failed: its retry needs a token, and there is none.
    expect(reached).toEqual([1, 2]);
    expect(retries).toHaveLength(0);
    expect(exhausted).toHaveLength(1);
    expect(client.stats().budgetExhausted).toBe(1);
    await expect(call).rejects.toThrow();
  });

  it('(control) the same round with both failures sent is refused its retry', async () => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], picker: roundRobin({ random: () => 0 }), clock, health: false,
      retry: { attempts: 3, budget: { ratio: 0, minPerSecond: 0 }, backoff: { base: 0, cap: 0 } },
      hedge: { delay: 50, maxExtraLoad: 1 },
    });
    clients.push(client);
    const first = deferred<string>();
    const hedge = deferred<string>();
    const reached: number[] = [];
    const call = client.execute((_e, { attempt }) => {
      reached.push(attempt);
      if (attempt === 1) return first.promise;
      if (attempt === 2) return hedge.promise;
      return 'third attempt';
    });
    call.catch(() => {});
    await clock.advance(60);
    await clock.advance(40);
    first.reject(new Error('the server failed the request'));
    await clock.advance(50);
    hedge.reject(new Error('the server failed the hedge too'));
    await clock.advance(10);
    await call.then(() => {}, () => {});
    expect(reached).toEqual([1, 2]);
    expect(client.stats().budgetExhausted).toBe(1);
  });
});
