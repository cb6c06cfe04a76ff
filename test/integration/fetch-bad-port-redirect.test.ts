// What broke: fetch "bad port" classification (src/transports/classify.ts badPort): a redirect whose target
// is on a bad port fails in fetch's main fetch before any dispatch, so the hop counter that
// marks "the endpoint had the request" (fetch-dispatcher.ts `redirected`) never sees it: the
// failure is taken for "nothing was sent" and a POST the first endpoint already processed is
// sent again to another endpoint.
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin, type AttemptEvent } from '../../src/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';

const { track, servers } = closeAfterEach();

describe('client.fetch: a redirect to a bad port', () => {
  it('a POST the endpoint answered with 307 to a bad port is not sent again to another endpoint', async () => {
    const [a, b] = await servers(
      // A processes the order, then redirects to a port fetch refuses.
      (req, res) => {
        req.resume();
        req.on('end', () => { res.writeHead(307, { location: 'http://127.0.0.1:6000/orders' }); res.end(); });
      },
      (req, res) => {
        req.resume();
        req.on('end', () => res.end('ok'));
      },
    );
    const client = track(createClient({ name: 'orders', discovery: [a!.url, b!.url], picker: roundRobin({ random: () => 0 }), health: false, retry: { budget: false, backoff: { base: 0, cap: 0 } } }));
    const events: AttemptEvent[] = [];
    client.on('attempt', (e) => events.push(e));
    await client.fetch('/orders', { method: 'POST', body: 'order-1' }).then((r) => r.text(), () => undefined);
    // A had the POST (it answered); without a guarantee that nothing was sent a POST is not retried.
    expect(a!.requests).toHaveLength(1);
    expect(b!.requests).toHaveLength(0);
    expect(events.map((e) => e.verdict)).toEqual(['failure']);
  });
});
