// What broke: a fetch of a Request whose body was still being read when `reconfigure` ran
// (retries turned off) ran under a mix: the old timeouts and status codes, but the new
// attempts, budget, backoff and hedging. README ("Live configuration"): calls in flight finish
// under the configuration they started with.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type Client } from '../../src/index.js';
import { startServer, type TestServer } from '../helpers/servers.js';

const clients: Client[] = [];
const servers: TestServer[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
  while (servers.length > 0) await servers.pop()!.close();
});

describe('a fetch with a Request body is in flight while its body is read', () => {
  it('finishes under the retry configuration it started with, not one applied while its body was being read', async () => {
    // First request 503, then 200.
    const server = await startServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(server.requests.length === 1 ? 503 : 200).end());
    });
    servers.push(server);
    const client = createClient({ name: 'svc', discovery: [server.url], health: false, retry: { attempts: 3, backoff: { base: 0, cap: 0 } } });
    clients.push(client);

    let finishBody!: () => void;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"a":1}'));
        finishBody = () => controller.close();
      },
    });
    const request = new Request(`${server.url}/put`, { method: 'PUT', body, duplex: 'half' } as RequestInit);
    const call = client.fetch(request);
    // The call has started (the caller awaits it) and is reading its body; now an operator turns retries off.
    await new Promise((r) => setTimeout(r, 20));
    client.reconfigure({ retry: false });
    finishBody();
    const res = await call;
    // Under the configuration it started with (3 attempts, 503 retried) the call ends 200.
    expect(server.requests).toHaveLength(2);
    expect(res.status).toBe(200);
  });
});
