// In panic the candidates were every endpoint, so one that had just answered 429 with
// Retry-After: 10 kept getting new calls (README: it "gets no calls for that long"). Panic widens
// the candidates to ejected endpoints, not to ones pausing at their own request, unless all are.
import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, expect, it } from 'vitest';
import { createClient, roundRobin, type Client } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

// Defect: in panic, candidates are the whole pool (candidates.ts), endpoints pausing at their own
// request (Retry-After) included, so new calls keep reaching an endpoint that just answered
// 429/503 with Retry-After. README, "What is retried": Retry-After "belongs to the endpoint that
// sent it: that endpoint gets no calls for that long"; "Endpoint health": such an endpoint "is
// left alone for as long as it asked". Panic should spread calls over the other endpoints
// (ejected ones included), not override the pause an endpoint asked for.

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

it('in panic, an endpoint that asked for a pause (Retry-After) gets no calls until it ends', async () => {
  const clock = new FakeClock();
  const down = new Set(['10.0.0.1', '10.0.0.2']);
  let busy = false;
  const seen: string[] = [];
  const fetch = async (input: string | URL | Request): Promise<Response> => {
    const host = new URL(String(input)).hostname;
    seen.push(host);
    if (down.has(host)) throw new TypeError('fetch failed', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) });
    if (host === '10.0.0.3' && busy) return new Response('slow down', { status: 429, headers: { 'retry-after': '10' } });
    return new Response(host);
  };
  const client = createClient({
    name: 'svc', clock, fetch: fetch as typeof globalThis.fetch, picker: roundRobin({ random: () => 0 }),
    discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'],
    retry: { attempts: 3, backoff: { base: 0, cap: 0 }, budget: false },
    health: { breaker: () => new ConsecutiveBreaker(1), maxEjectionPercent: 100 },
  });
  clients.push(client);
  for (let i = 0; i < 6; i++) await client.fetch('/x');
  expect(client.stats().panic).toBe(true);
  // The third endpoint asks for 10 s of quiet (a POST: not retried, the 429 is the answer).
  down.clear();
  busy = true;
  let answered = 0;
  while (answered !== 429) answered = (await client.fetch('/x', { method: 'POST' })).status;
  expect(client.stats().endpoints[2]!.health!.pausedFor).toBe(10_000);
  busy = false;
  seen.length = 0;
  for (let i = 0; i < 9; i++) await client.fetch('/x');
  expect(seen.filter((h) => h === '10.0.0.3')).toEqual([]);
});
