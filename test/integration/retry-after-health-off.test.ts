// What broke: A user who turns endpoint health off (`health: false`: "keep every endpoint in rotation
// whatever its outcomes") still expects a retryable 503 to be retried on another endpoint.
// README, "What is retried": `Retry-After` "belongs to the endpoint that sent it: that endpoint
// gets no calls for that long, and the retry goes at once (after the usual backoff) to another
// endpoint; when no other endpoint can take it, the call waits ...".
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin, type RetryEvent } from '../../src/index.js';
import { ok, status } from '../helpers/servers.js';
import { closeAfterEach } from '../helpers/lifecycle.js';

const { track, servers } = closeAfterEach();

describe('health: false and a 503 with Retry-After from one of two endpoints', () => {
  it('a long Retry-After (60 s) from one endpoint does not stop the retry on the healthy other one', async () => {
    const [busy, good] = await servers(status(503, { 'retry-after': '60' }), ok());
    const client = track(createClient({ name: 'svc', discovery: [busy!.url, good!.url], picker: roundRobin(), health: false }));
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await client.fetch('/x');
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    // roundRobin sends every other call to `busy` first: with health on all six succeed (the
    // retry goes to `good` at once). With health off, those calls end at once with the 503:
    // the retry is dropped because the wait for busy's Retry-After would pass the deadline,
    // although `good` could take it now.
    expect(busy!.requests.length).toBeGreaterThan(0);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it('a short Retry-After (3 s) from one endpoint does not make the retry on the healthy other one wait 3 s', async () => {
    const [busy, good] = await servers(status(503, { 'retry-after': '3' }), ok());
    const client = track(createClient({ name: 'svc', discovery: [busy!.url, good!.url], picker: roundRobin(), health: false }));
    const retries: RetryEvent[] = [];
    client.on('retry', (e) => retries.push(e));
    const started = performance.now();
    for (let i = 0; i < 2; i++) {
      const res = await client.fetch('/x');
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    // A call that hit `busy` first was retried on `good` (one or both, by where round robin
    // started): the wait should be the usual backoff (≤ 250 ms), as with health on, not the 3 s
    // `busy` asked for itself.
    expect(retries.length).toBeGreaterThanOrEqual(1);
    for (const r of retries) {
      expect(r.endpoint.url).toBe(busy!.url);
      expect(r.delay).toBeLessThanOrEqual(250);
    }
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});
