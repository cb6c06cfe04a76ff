// What broke (consulDiscovery): an answer whose X-Consul-Index had not moved was thrown away,
// but Consul's index follows the catalog, not ACLs: once an operator let the token read the
// service, the instances it had hidden came at the same index and were never taken up (calls
// failed with NoEndpointsError until an unrelated change). And `minInterval` did not hold between
// the retries of failed requests: with a short `backoff.min`, a Consul answering 500 at once got
// hundreds of requests a second. Real HTTP servers on 127.0.0.1 only.
import { describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { consulDiscovery } from '../../src/consul/index.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';
import { stopFunction } from '../helpers/stop-function.js';

const { defer } = closeAfterEach();

/** A bare node:http server on 127.0.0.1 that logs when each request arrived. */
async function rawServer(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<{ url: string; starts: number[] }> {
  let n = 0;
  const sockets = new Set<Socket>();
  const starts: number[] = [];
  const s = createServer((req, res) => {
    req.resume();
    starts.push(performance.now());
    handler(req, res, n++);
  });
  s.on('connection', (c) => { sockets.add(c); c.on('close', () => sockets.delete(c)); });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  defer(async () => { for (const c of sockets) c.destroy(); await new Promise((r) => s.close(r)); });
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, starts };
}

describe('consulDiscovery: minInterval', () => {
  it('keeps at least minInterval between the starts of two requests also when Consul answers errors at once', async () => {
    // docs/discovery.md: `minInterval` is the "Least time between the starts of two requests";
    // consul-template's rate limit applies to every call. A Consul (or a proxy in front of it)
    // answering 500/429 at once, with a short backoff, must not be hit more often than that.
    const server = await rawServer((_req, res) => { res.writeHead(500, { 'content-type': 'text/plain' }).end('rpc error: No cluster leader'); });
    const discovery = consulDiscovery({ service: 'web', url: server.url, minInterval: 200, backoff: { min: 1, max: 1 } });
    const errors: unknown[] = [];
    const stop = stopFunction(discovery.watch(() => {}, (e) => errors.push(e), () => {}));
    await sleep(1_000);
    await stop();
    // One request per 200 ms at most: 5 in 1 s, 6 allowing for the first.
    expect(server.starts.length).toBeLessThanOrEqual(6);
  });
});

const entry = (port: number): unknown => ({
  Node: { Node: `node-${port}`, Address: '127.0.0.1', Datacenter: 'dc1', Meta: {} },
  Service: { ID: `web-${port}`, Service: 'web', Address: '127.0.0.1', Port: port, Tags: [], Meta: {}, Weights: { Passing: 1, Warning: 1 } },
  Checks: [{ CheckID: 'serfHealth', Status: 'passing' }],
});

describe('consulDiscovery: answers whose index did not move but whose content did (ACLs)', () => {
  it('picks up instances an ACL hid once the token may read them, although X-Consul-Index did not change', async () => {
    // Consul's X-Consul-Index follows the catalog, not ACLs (hashicorp/consul#5651): after an
    // operator grants the token service:read/node:read, the next answer (at the end of `wait`)
    // carries the SAME index but now lists the instances. bulwark reported the ACL-filtered
    // answer as a discoveryError ("it needs service:read and node:read; keeping the last good
    // set"); once fixed, the instances must appear, not wait for an unrelated catalog change.
    let allowed = false;
    const server = await rawServer((req, res) => {
      const blocking = new URL(req.url!, 'http://x').searchParams.has('index');
      const answer = (): void => {
        const headers: Record<string, string> = { 'content-type': 'application/json', 'x-consul-index': '42' };
        if (!allowed) headers['x-consul-results-filtered-by-acls'] = 'true';
        res.writeHead(200, headers).end(JSON.stringify(allowed ? [entry(8001)] : []));
      };
      // A blocking query on an unchanged catalog answers when `wait` (100 ms here) ends.
      if (blocking) setTimeout(answer, 100); else answer();
    });
    const sets: unknown[][] = [];
    const errors: unknown[] = [];
    const discovery = consulDiscovery({ service: 'web', url: server.url, token: 'acl-token-1234', wait: 100, minInterval: 10 });
    const stop = stopFunction(discovery.watch((eps) => sets.push([...eps]), (e) => errors.push(e), () => {}));
    try {
      const deadline = performance.now() + 2_000;
      while (errors.length === 0 && performance.now() < deadline) await sleep(10);
      expect(String(errors[0])).toContain('Filtered-By-ACLs');
      allowed = true; // the operator fixes the token's policy; the catalog does not change
      const until2 = performance.now() + 1_500; // many `wait`s of 100 ms
      while (sets.length === 0 && performance.now() < until2) await sleep(10);
      expect(sets.at(-1) ?? []).toHaveLength(1);
    } finally {
      await stop();
    }
  });
});
