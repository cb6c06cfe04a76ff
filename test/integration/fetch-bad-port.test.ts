// What broke: an endpoint on a port fetch refuses to connect to (the Fetch standard's "bad
// port" list: 6000, 6667, 10080, …) failed with `TypeError: fetch failed` caused by
// `Error('bad port')`, which bulwark took for a request that may have reached the server: a
// POST was not retried on another endpoint, a GET's retry drew on the retry budget, and the
// event's reason said only `TypeError`. Nothing was sent (README, "What is retried": failures
// that prove nothing was sent are retried whatever the method, without the budget).
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin, type AttemptEvent } from '../../src/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';

const { track, servers } = closeAfterEach();

describe('client.fetch: an endpoint on a port fetch refuses ("bad port")', () => {
  it('a POST goes to the other endpoint; the retry costs no budget; the reason says bad port', async () => {
    const [up] = await servers((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    const client = track(createClient({ name: 'orders', discovery: ['http://127.0.0.1:6000', up!.url], picker: roundRobin(), retry: { budget: { ratio: 0.1, minPerSecond: 0 } } }));
    const events: AttemptEvent[] = [];
    client.on('attempt', (e) => events.push(e));
    for (let i = 0; i < 4; i++) {
      const res = await client.fetch('/orders', { method: 'POST', body: 'x' });
      expect(await res.text()).toBe('ok');
    }
    expect(up!.requests).toHaveLength(4);
    const refused = events.filter((e) => e.endpoint.url.startsWith('http://127.0.0.1:6000'));
    expect(refused.length).toBeGreaterThan(0);
    for (const e of refused) expect(`${e.verdict} ${e.reason}`).toBe('retry bad port');
    expect(client.stats().budgetExhausted).toBe(0);
  });
});
