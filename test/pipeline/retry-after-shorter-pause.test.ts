// With every endpoint pausing at its own request, a retry waited the Retry-After of the endpoint
// that answered last (b's 10 s), although another (a, 1 s) could take the call much sooner; with
// a 5 s deadline the call ended at once with b's 503. Retry-After belongs to the endpoint that
// sent it: the call now waits until some endpoint can take it (README, "What is retried").
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, roundRobin, type Client } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => { while (clients.length > 0) await clients.pop()!.close(); });

describe('Retry-After: the wait is until some endpoint can take the call', () => {
  it('retries on a once its 1 s pause is over instead of ending on b\'s 10 s Retry-After', async () => {
    const clock = new FakeClock();
    const sent: string[] = [];
    const answers: Record<string, string[]> = { a: ['1'], b: ['10'] };
    const fetchFn = (async (url: string) => {
      const host = new URL(url).hostname;
      sent.push(host);
      const ra = answers[host]!.shift();
      return ra === undefined ? new Response(`ok from ${host}`) : new Response(null, { status: 503, headers: { 'retry-after': ra } });
    }) as unknown as typeof fetch;
    const client = createClient({
      name: 'svc', discovery: ['http://a:80', 'http://b:80'], picker: roundRobin({ random: () => 0 }), clock, fetch: fetchFn,
      timeout: { total: 5_000 },
    });
    clients.push(client);
    const call = client.fetch('/x');
    await clock.advance(100);
    expect(sent).toEqual(['a', 'b']);
    await clock.advance(1_500);
    const res = await call;
    expect(sent).toEqual(['a', 'b', 'a']);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok from a');
  });
});
