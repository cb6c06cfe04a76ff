// What broke: the hedge budget counted only calls that went through the hedge stage, so
// calls that were not hedged (writes, calls with `hedge: false`) did not count, and a client
// whose calls were mostly not hedged almost never sent a hedge (README, "Hedging": hedges stay
// within `maxExtraLoad` of the client's calls; the first goes once 1 / maxExtraLoad calls were
// made in the window). Also: a hedge that reached no server (its connection refused) kept its
// token, though it added no load.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, roundRobin, type Client } from '../../src/index.js';
import { deferred, FakeClock } from '../helpers/fake-clock.js';

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

describe('hedge budget: what counts as a call', () => {
  it('a client that has made 1 / maxExtraLoad calls in the window may send its first hedge, whichever of them were hedged', async () => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], picker: roundRobin({ random: () => 0 }), clock,
      hedge: { delay: 50 }, // maxExtraLoad 0.05: "a client sends its first hedge once it has made 20 calls in the window"
      retry: { budget: false, backoff: { base: 0, cap: 0 } },
    });
    clients.push(client);
    // 40 calls in the window: writes (not idempotent, so never hedged) and reads a caller chose not to hedge.
    for (let i = 0; i < 20; i++) await client.execute(() => 'ok', { idempotent: false });
    for (let i = 0; i < 20; i++) await client.execute(() => 'ok', { hedge: false });
    await clock.advance(100);
    // Now one slow read with the client's hedging.
    const answers: ReturnType<typeof deferred<string>>[] = [];
    const call = client.execute(() => {
      const d = deferred<string>();
      answers.push(d);
      return d.promise;
    });
    await clock.advance(60);
    for (const d of answers) d.resolve('x');
    await call;
    expect(client.stats().calls.started).toBe(41);
    // 41 calls × 0.05 = 2 hedges allowed; the hedge budget counted only the one hedged call (0.05), so none was sent.
    expect(client.stats().hedges.sent).toBe(1);
  });

  it('a hedge whose connection was refused gives its token back', async () => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], picker: roundRobin({ random: () => 0 }), clock,
      hedge: { delay: 50 }, retry: { attempts: 2, budget: false, backoff: { base: 0, cap: 0 } },
    });
    clients.push(client);
    for (let i = 0; i < 20; i++) await client.execute(() => 'ok');
    // 22 calls × 0.05 allow one hedge (two attempts a call: a refused hedge is not followed by another): the first is refused (nothing sent), so the second may go.
    for (let call = 0; call < 2; call++) {
      const first = deferred<string>();
      const p = client.execute((_e, { attempt }) => (attempt === 1 ? first.promise : call === 0 ? Promise.reject(refused()) : deferred<string>().promise));
      await clock.advance(60);
      first.resolve('slow');
      expect(await p).toBe('slow');
    }
    expect(client.stats().hedges.sent).toBe(2);
  });
});
