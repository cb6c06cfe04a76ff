// What broke: a 503 kept by a hedge round, while the other attempt still ran, kept its body
// unread until the round ended, and with it its connection (up to the other attempt's timeout).
// As the retry stage does for a 503 it retries, the round now releases the body at once and
// keeps the status and headers.
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin } from '../../src/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';

const { track, servers } = closeAfterEach();

describe('hedging: a kept 503 frees its connection while the other attempt runs', () => {
  it("the 503's body is cancelled before the hedge answers", async () => {
    const t0 = performance.now();
    let closedAt = Infinity;
    let answeredAt = Infinity;
    const [a, b] = await servers(
      // A: after 100 ms (the hedge has gone out at 50), a 503 whose body never ends.
      (req, res) => {
        req.resume();
        res.on('close', () => { closedAt = performance.now() - t0; });
        setTimeout(() => { res.writeHead(503, { 'content-type': 'text/plain' }); res.write('busy, '); }, 100);
      },
      // B (the hedge, sent at 50 ms): answers 200 about 350 ms later.
      (req, res) => {
        req.resume();
        setTimeout(() => { answeredAt = performance.now() - t0; res.end('ok'); }, 350);
      },
    );
    const client = track(createClient({
      name: 'svc', discovery: [a!.url, b!.url], picker: roundRobin({ random: () => 0 }), health: false,
      hedge: { delay: 50, maxExtraLoad: 1 }, retry: { budget: false, backoff: { base: 0, cap: 0 } },
    }));
    const res = await client.fetch('/x');
    expect(await res.text()).toBe('ok');
    expect(closedAt).toBeLessThan(answeredAt);
  });
});
