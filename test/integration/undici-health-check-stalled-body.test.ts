// What broke: a health check body that stalled held a connection per check (and a removed endpoint's pool open).
// bulwark/undici's default health check (through the endpoint's pool) reads each response body
// away in the background with no time limit: a health endpoint whose 200 never finishes its body
// keeps one more connection open per check. The fetch client's check cancels the body at once, and
// the request transport's own read-away of a retried body stops after DRAIN_TIMEOUT_MS (1 s).
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';

const { track, defer } = closeAfterEach();

/** A server whose answer is 200 with a first chunk and a body that never ends; counts open sockets and checks. */
async function stallingHealth(): Promise<{ url: string; open(): number; checks(): number }> {
  const sockets = new Set<Socket>();
  let checks = 0;
  const server = createServer((req, res) => {
    checks++;
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('ok');
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  defer(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, open: () => sockets.size, checks: () => checks };
}

describe('bulwark/undici default health check, body that never ends', () => {
  it('does not leave a connection open per check: a stalled check body is given up (as the fetch check cancels it)', async () => {
    const server = await stallingHealth();
    const client = track(createUndiciClient({
      name: 'svc',
      discovery: [server.url],
      health: { checks: { interval: 50, jitter: 0, timeout: 500 } },
    }));
    await until(() => server.checks() >= 25, 5_000);
    await sleep(100);
    // ~25 checks sent over ~1.3 s: each one's body still hangs on its own connection.
    expect(server.open()).toBeLessThanOrEqual(3);
    void client;
  });

  it('an endpoint discovery removes has its pool closed within a few seconds, not held open by check bodies still hanging', async () => {
    const server = await stallingHealth();
    const other = await stallingHealth();
    let push: ((list: string[]) => void) | undefined;
    const discovery = { watch(update: (list: string[]) => void) { push = update; update([server.url, other.url]); return () => {}; } };
    const client = track(createUndiciClient({
      name: 'svc',
      discovery,
      health: { checks: { interval: 100, jitter: 0, timeout: 500 } },
    }));
    await until(() => server.checks() >= 2, 5_000);
    push!([other.url]);
    expect(client.openPools).toBe(1);
    // README: the pool is closed once the requests still running on it finish; a check is over
    // once its status is known, so nothing of the removed endpoint should stay connected for long.
    await until(() => server.open() === 0, 3_000);
  });
});
