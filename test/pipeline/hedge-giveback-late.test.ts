// What broke: Hedge budget (src/pipeline/hedge.ts #roundDone): a hedge that reached no server gives its
// token back with budget.giveBack(ctx.now), but the token was taken in the 1 s bucket of the
// hedge's start (fire). giveBack only takes from the *current* bucket (budget.ts giveBack):
// when the hedge's "not sent" answer comes in a later bucket (a connect timeout, an
// EHOSTUNREACH after ARP gives up), there is nothing there and the token is silently kept.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, roundRobin, type Client } from '../../src/index.js';
import { deferred, FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

const connectTimeout = (): Error => Object.assign(new Error('Connect Timeout Error'), { code: 'UND_ERR_CONNECT_TIMEOUT' });

describe('hedge budget: a hedge that reached no server', () => {
  it.each([
    ['in a later second of the window', 1_000, 1_100],
    ['in the same second (control)', 100, 300],
  ])('gives its token back when its failure comes %s', async (_when, failsAfter, waits) => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], picker: roundRobin({ random: () => 0 }), clock,
      hedge: { delay: 50 }, retry: { attempts: 2, budget: false, backoff: { base: 0, cap: 0 } }, timeout: { attempt: 5_000, total: 10_000 },
    });
    clients.push(client);
    for (let i = 0; i < 20; i++) await client.execute(() => 'ok');
    // 22 calls × 0.05 allow one hedge (and two attempts a call, so a failed hedge is not followed by another). The first call's hedge never connects (it fails later:
    // nothing sent), so the second call's hedge may go.
    for (let call = 0; call < 2; call++) {
      const first = deferred<string>();
      const p = client.execute((_e, { attempt }) => {
        if (attempt === 1) return first.promise;
        if (call === 0) return new Promise<string>((_, reject) => clock.setTimer(() => reject(connectTimeout()), failsAfter));
        return deferred<string>().promise;
      });
      await clock.advance(waits);
      first.resolve('slow');
      expect(await p).toBe('slow');
    }
    expect(client.stats().hedges.sent).toBe(2);
  });
});
