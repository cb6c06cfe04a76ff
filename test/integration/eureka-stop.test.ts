// Stopping eurekaRegistration while its registration POST is in flight, against the local Eureka
// stand-in (test/helpers/eureka-server.ts) behind a proxy that hands POSTs on late (a slow
// Eureka, still handling a request whose client has gone): the POST must not land after stop's
// DELETE, which would leave the instance registered (until its lease expires) after stop().
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { eurekaRegistration } from '../../src/eureka/index.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { startEurekaServer } from '../helpers/eureka-server.js';

const { defer } = closeAfterEach();

/** A proxy to `target` (http://127.0.0.1:port) that forwards a POST `ms` late, even when its client is gone. */
async function slowPosts(target: string, ms: number): Promise<{ url: string; posts: number }> {
  const state = { url: '', posts: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST') state.posts++;
      const forward = (): void => {
        const out = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
          res.on('error', () => {});
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        out.on('error', () => res.destroy());
        out.end(Buffer.concat(chunks));
      };
      if (req.method === 'POST') setTimeout(forward, ms);
      else forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  defer(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

it('eurekaRegistration stopped while Eureka is still handling its POST leaves the instance deregistered', async () => {
  const eureka = await startEurekaServer();
  defer(() => eureka.close());
  const proxy = await slowPosts(new URL(eureka.url).origin, 300);
  const reg = eurekaRegistration({
    url: `${proxy.url}/eureka`, app: 'orders', backoff: { min: 20, max: 50 },
    instance: { hostName: 'orders-1.local', ipAddr: '127.0.0.1', port: 8080 },
  });
  await until(() => proxy.posts === 1);
  await reg.stop();
  await expect(reg.registered).rejects.toThrow(/stopped/);
  await sleep(500); // past the late POST
  expect(eureka.instances('ORDERS')).toEqual([]);
  const writes = eureka.requests.filter((r) => r.method !== 'GET').map((r) => r.method);
  expect(writes.at(-1)).toBe('DELETE');
});
