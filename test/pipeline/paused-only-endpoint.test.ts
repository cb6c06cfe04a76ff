// Guards the documented rule: with every endpoint pausing at its own request, new calls still go; the retry of the call that got Retry-After waits.
// README "What is retried" / "Endpoint health": `Retry-After` pauses the endpoint that sent it
// (stats() shows the rest as `pausedFor`), and keeps new calls away from it only while another
// endpoint can take them. When every endpoint is pausing (here the only one), new calls still go
// to it rather than fail locally (Envoy uses Retry-After for retry backoff only), while a retry of
// the call that got the Retry-After waits for the pause (no other endpoint can take it).
// This guards that documented behaviour: the new call is sent at once, the retry not before the
// pause is over, and `pausedFor` keeps counting down meanwhile.
import { afterEach, expect, it } from 'vitest';
import { createClient, type Client } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => { while (clients.length > 0) await clients.pop()!.close(); });

const pathOf = (input: unknown): string => new URL(input instanceof Request ? input.url : String(input)).pathname;

it('with its only endpoint pausing (Retry-After: 10), a new call goes at once and the retry waits for the pause', async () => {
  const clock = new FakeClock();
  const sent: [string, number][] = [];
  const fetchFn = (async (input: unknown) => {
    sent.push([pathOf(input), clock.now()]);
    return sent.length === 1 ? new Response(null, { status: 503, headers: { 'retry-after': '10' } }) : new Response('ok');
  }) as unknown as typeof fetch;
  const client = createClient({
    name: 'svc', discovery: ['http://a:80'], clock, fetch: fetchFn,
    retry: { attempts: 2, budget: false }, timeout: { total: 30_000 },
  });
  clients.push(client);
  // The first call gets a 503 with Retry-After: 10; its retry has no other endpoint to go to.
  const first = client.fetch('/x').then((r) => r.status);
  await clock.advance(1_000);
  expect(sent, 'sent (path, ms)').toEqual([['/x', 0]]);
  expect(client.stats().endpoints[0]!.health!.pausedFor).toBe(9_000);
  // A new call 1 s into the pause: no other endpoint can take it, so it goes to the pausing one now.
  const second = client.fetch('/y').then((r) => r.status);
  await clock.advance(0);
  expect(sent, 'sent (path, ms)').toEqual([['/x', 0], ['/y', 1_000]]);
  expect(await second).toBe(200);
  // The pause stands for the retry: nothing more is sent before it is over.
  await clock.advance(8_900);
  expect(sent.length, 'nothing sent during the rest of the pause').toBe(2);
  await clock.advance(1_000);
  expect(await first).toBe(200);
  expect(sent.length).toBe(3);
  const [path, at] = sent[2]!;
  expect(path).toBe('/x');
  expect(at, 'the retry waits for the end of the pause (and at most a backoff more)').toBeGreaterThanOrEqual(10_000);
  expect(at).toBeLessThanOrEqual(10_000 + 250);
});
