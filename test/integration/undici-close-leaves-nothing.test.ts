// Guards (lifetime review, 2026-11-28): nothing this session added outlives close()/stop().
// Review (lifetime): what bulwark/undici leaves open after close(): drained bodies (a retried
// 503's, a health check's) that stall, their timers and sockets.
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';

const { defer } = closeAfterEach();

/** 503 with a body that never ends on /fail and /health; 200 'ok' elsewhere. */
async function server(): Promise<{ url: string; open(): number }> {
  const sockets = new Set<Socket>();
  const s = createServer((req, res) => {
    req.resume();
    if (req.url === '/fail' || req.url === '/health') {
      res.writeHead(req.url === '/fail' ? 503 : 200);
      res.write('x'.repeat(100));
      return;
    }
    res.end('ok');
  });
  s.on('connection', (c) => { sockets.add(c); c.on('close', () => sockets.delete(c)); });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  defer(async () => {
    for (const c of sockets) c.destroy();
    await new Promise((r) => s.close(r));
  });
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, open: () => sockets.size };
}

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('bulwark/undici close()', () => {
  it('leaves no socket and no timer of its own behind, with retried and checked bodies still stalled', async () => {
    const a = await server();
    const b = await server();
    const timersBefore = timers();
    const client = createUndiciClient({
      name: 'svc',
      discovery: [a.url, b.url],
      retry: { attempts: 2, budget: { ratio: 1, minPerSecond: 100 }, backoff: { base: 1, cap: 1 } },
      health: { checks: { path: '/health', interval: 30, jitter: 0, timeout: 500 } },
    });
    const res = await client.request('/fail');
    expect(res.statusCode).toBe(503);
    res.body.destroy();
    await sleep(100);
    expect(a.open() + b.open()).toBeGreaterThan(0);
    await client.close();
    await until(() => a.open() + b.open() === 0, 2_000);
    await sleep(50);
    expect(timers()).toBeLessThanOrEqual(timersBefore);
  });
});
