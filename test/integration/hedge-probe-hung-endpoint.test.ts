import { expect, it } from 'vitest';
import { ConsecutiveBreaker, createClient, roundRobin, type HealthEvent } from '../../src/index.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';

// What broke: with hedging on, an endpoint that stopped answering was, once its ejection ended,
// probed by call after call: each probe lost its round to a hedge to a healthy endpoint, ended
// `hedge lost`, said nothing about the endpoint, and gave its probe slot back. It stayed
// `probing` and was never ejected again (43 of 96 calls in 3 s reached it, each paying the
// hedge delay). A probe that opens its round and loses it to a hedge is a failed probe now:
// the endpoint is ejected again, for longer each time (200, 400, 600 ms … here), so few calls
// reach it. Real node:http servers on 127.0.0.1.

const { track, servers } = closeAfterEach();

it('a hung endpoint whose probes lose to hedges is ejected again, for longer each time', async () => {
  let hung = false;
  const [a, b, c] = await servers((req, res) => {
    req.resume();
    if (hung) return; // accepts and never answers, as a wedged process does
    res.writeHead(503).end();
  }, ok(5), ok(5));
  const client = track(createClient({
    name: 'hp', discovery: [a!.url, b!.url, c!.url], picker: roundRobin(),
    hedge: { delay: 30, maxExtraLoad: 0.5 },
    timeout: { attempt: 2_000 },
    health: { breaker: () => new ConsecutiveBreaker(1), ejectionTime: 200, maxEjectionPercent: 100 },
  }));
  const health: HealthEvent[] = [];
  client.on('health', (e) => { if (e.endpoint.url === a!.url) health.push(e); });
  // A 503 ejects it.
  for (let i = 0; i < 10 && health.length === 0; i++) await (await client.fetch('/')).arrayBuffer();
  expect(health[0]?.status).toBe('ejected');
  hung = true;
  const before = a!.requests.length;
  let calls = 0;
  for (const started = Date.now(); Date.now() - started < 2_000; calls++) {
    await (await client.fetch('/')).arrayBuffer();
    await sleep(10);
  }
  const ejections = health.filter((h) => h.status === 'ejected');
  expect(ejections.length).toBeGreaterThan(1);
  expect(ejections.slice(1).every((h) => h.reason === 'probe failed (a hedge answered first)')).toBe(true);
  // Ejections of 200, 400, 600, 800 ms leave room for a handful of probes in 2 s, not one call in two.
  expect(a!.requests.length - before).toBeLessThan(Math.max(8, calls / 5));
});
