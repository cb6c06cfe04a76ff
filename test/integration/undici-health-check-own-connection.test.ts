// What broke (found by the undici review): the default active health check of a bulwark/undici client is sent through the
// endpoint's own Pool (src/undici/pools.ts, check()), so with a `pool.connections` limit it waits
// in the queue behind the client's own calls. A healthy endpoint that is busy serving this
// client's long requests then fails its checks as 'timeout' and is ejected: the check measures
// the client's local queue, not the endpoint. (client.fetch's check, on its own connection,
// passes in the same situation.)
import { describe, expect, it } from 'vitest';
import { createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';
import type { Handler } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

/** /health answers at once; /download streams for 1.5 s. */
const healthyButBusy: Handler = (req, res) => {
  req.resume();
  if (req.url === '/health') { res.end('ok'); return; }
  res.writeHead(200);
  const timer = setInterval(() => res.write('x'), 100);
  setTimeout(() => { clearInterval(timer); res.end(); }, 1_500);
};

describe('an active health check of a bulwark/undici client', () => {
  it('does not eject a healthy endpoint because its pool is busy with the client\'s own calls', async () => {
    const [a] = await servers(healthyButBusy);
    const client = track(createUndiciClient({
      name: 'svc',
      discovery: [a!.url],
      pool: { connections: 1 },
      health: { checks: { path: '/health', interval: 100, jitter: 0, timeout: 200, unhealthyThreshold: 2 } },
    }));
    const health: string[] = [];
    client.on('health', (e) => health.push(`${e.status} ${e.reason}`));
    await sleep(250); // a few checks pass
    const download = await client.request('/download');
    const read = download.body.text();
    await sleep(900);
    const healthChecksSeen = a!.requests.filter((r) => r.path === '/health').length;
    expect(await read).toHaveLength(14);
    expect(healthChecksSeen).toBeGreaterThan(0);
    expect(health).toEqual([]); // (was: [ 'ejected health check failed (timeout)' ])
    expect(client.stats().endpoints[0]!.health?.status).toBe('healthy');
  });
});
