// What broke: with one endpoint slow and one refusing connections, a hedged call whose hedge was refused waited for the slow attempt (seconds) although a third endpoint was free and attempts were left: as gRPC A6 does, a failure worth retrying while another attempt runs now sends the next hedge at once.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, roundRobin, type Client } from '../../src/index.js';
import { deferred, FakeClock, outcome } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

function hedgedClient(clock: FakeClock, attempts: number): Client {
  const client = createClient({
    name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], picker: roundRobin({ random: () => 0 }), clock,
    hedge: { delay: 50, maxExtraLoad: 1 }, retry: { attempts, budget: false, backoff: { base: 0, cap: 0 } },
    timeout: { attempt: 5_000, total: 10_000 },
  });
  clients.push(client);
  return client;
}

describe('a hedge that fails while the first attempt still runs', () => {
  it('is followed at once by the next hedge, to an endpoint not tried yet', async () => {
    const clock = new FakeClock();
    const client = hedgedClient(clock, 3);
    const slow = deferred<string>();
    const seen: string[] = [];
    const call = outcome(client.execute((endpoint, { attempt }) => {
      seen.push(`${attempt}:${endpoint.id}`);
      if (attempt === 1) return slow.promise;
      if (attempt === 2) return Promise.reject(refused());
      return Promise.resolve('fast');
    }));
    await clock.advance(60);
    expect(call.value).toBe('fast');
    expect(seen).toEqual(['1:http://10.0.0.1:80', '2:http://10.0.0.2:80', '3:http://10.0.0.3:80']);
    expect(client.stats().hedges).toEqual({ sent: 2, won: 1 });
    slow.resolve('slow');
  });

  it('is not followed when the attempt limit is reached: the round waits for the first attempt', async () => {
    const clock = new FakeClock();
    const client = hedgedClient(clock, 2);
    const slow = deferred<string>();
    const call = outcome(client.execute((_e, { attempt }) => (attempt === 1 ? slow.promise : Promise.reject(refused()))));
    await clock.advance(60);
    expect(call.settled).toBe(false);
    slow.resolve('slow');
    await clock.advance(1);
    expect(call.value).toBe('slow');
    expect(client.stats().hedges).toEqual({ sent: 1, won: 0 });
  });

  it('is not followed after a failure that is not retried: that ends the round', async () => {
    const clock = new FakeClock();
    const client = hedgedClient(clock, 3);
    const slow = deferred<string>();
    const call = outcome(client.execute((_e, { attempt }) => (attempt === 1 ? slow.promise : Promise.reject(new Error('bad request'))), { classify: (o) => (o.ok ? 'success' : 'failure') }));
    await clock.advance(60);
    expect((call.error as Error).message).toBe('bad request');
    expect(client.stats().attempts).toBe(2);
  });
});
