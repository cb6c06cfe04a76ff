// A 503's Retry-After paused its endpoint only when 503 was in `retry.statusCodes`, an option
// about what is retried: with `statusCodes: [429, 502, 504]` the endpoint got the next calls at
// once and `pausedFor` stayed null. The pause of a 503 or 429 is now kept whatever statusCodes
// say (README, "Endpoint health").
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type Client } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => { while (clients.length > 0) await clients.pop()!.close(); });

function setup(statusCodes: number[] | undefined): { clock: FakeClock; client: Client } {
  const clock = new FakeClock();
  const fetchFn = (async () => new Response(null, { status: 503, headers: { 'retry-after': '5' } })) as unknown as typeof fetch;
  const client = createClient({
    name: 'svc', discovery: ['http://10.0.0.1:80'], clock, fetch: fetchFn,
    retry: statusCodes === undefined ? { attempts: 1 } : { attempts: 1, statusCodes },
  });
  clients.push(client);
  return { clock, client };
}

describe('Retry-After on a status that is not retried', () => {
  it('a 503 Retry-After: 5 pauses its endpoint though 503 is not retried (it does with the default statusCodes)', async () => {
    const { clock, client } = setup([429, 502, 504]);
    const res = await client.fetch('/x');
    await clock.advance(1);
    expect(res.status).toBe(503);
    expect(client.stats().endpoints[0]!.health!.pausedFor).toBeGreaterThan(4_000);
  });
});
