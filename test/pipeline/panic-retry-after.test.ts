// In panic, a 503 with Retry-After from the one healthy endpoint made the retry wait (and end the
// call when the wait did not fit the deadline), although the ejected endpoints, candidates in
// panic, could take it at once: the wait counted only healthy and probing endpoints as free.
import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, expect, it } from 'vitest';
import { createClient, roundRobin, type Client } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

// Defect: in panic, calls go to every endpoint (README, "Endpoint health": "the client is in
// panic and spreads calls over all of them"), but a 503 with Retry-After from one endpoint makes
// the retry wait as if no other endpoint could take the call: `otherFreeAt` skips ejected
// endpoints even though, in panic, they are the picker's candidates. With a Retry-After longer
// than what is left of the deadline the call ends at once with the 503, instead of retrying at
// once on another endpoint as the README's retry table says ("the retry goes at once (after the
// usual backoff) to another endpoint; when no other endpoint can take it, the call waits").

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

it('in panic, a Retry-After from one endpoint sends the retry at once to another candidate', async () => {
  const clock = new FakeClock();
  const down = new Set(['10.0.0.1', '10.0.0.2']);
  let busy = false;
  const fetch = async (input: string | URL | Request): Promise<Response> => {
    const host = new URL(String(input)).hostname;
    if (down.has(host)) throw new TypeError('fetch failed', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) });
    if (host === '10.0.0.3' && busy) return new Response('busy', { status: 503, headers: { 'retry-after': '10' } });
    return new Response(host);
  };
  const client = createClient({
    name: 'svc', clock, fetch: fetch as typeof globalThis.fetch, picker: roundRobin({ random: () => 0 }),
    discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'],
    timeout: { attempt: 1_000, total: 5_000 },
    retry: { attempts: 3, backoff: { base: 0, cap: 0 }, budget: false },
    health: { breaker: () => new ConsecutiveBreaker(1), maxEjectionPercent: 100 },
  });
  clients.push(client);
  for (let i = 0; i < 6; i++) await client.fetch('/x');
  expect(client.stats().endpoints.map((e) => e.health?.status)).toEqual(['ejected', 'ejected', 'healthy']);
  expect(client.stats().panic).toBe(true);
  // The two ejected endpoints are back (their ejection is not over yet); the third asks for a pause.
  down.clear();
  busy = true;
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await client.fetch('/x')).status);
  expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
});
