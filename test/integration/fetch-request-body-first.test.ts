// A `Request` input's body was read inside the first attempt, after its endpoint was picked and
// its deadline armed: a body slower than `timeout.attempt` (an upload passed on as it arrives)
// timed out every attempt before a byte was sent, each counted against a healthy endpoint (and
// under hedging a hedge went out). The body is now read before any attempt is timed, within the
// call's total timeout, its caller's signal and close().
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClientClosedError, createClient, roundRobin, type AttemptEvent } from '../../src/index.js';
import { startServer, startServers } from '../helpers/servers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => { while (cleanups.length > 0) await cleanups.pop()!(); });

/** Answers 200 at once with what it received. */
function echo(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => { body += c; });
  req.on('end', () => res.writeHead(200).end(body));
}

/** A Request whose body (an upload arriving slowly) takes `ms` to end. */
function slowUpload(ms: number): Request {
  const body = new ReadableStream<Uint8Array>({
    async start(c) {
      c.enqueue(new TextEncoder().encode('part1,'));
      await new Promise((r) => setTimeout(r, ms));
      c.enqueue(new TextEncoder().encode('part2'));
      c.close();
    },
  });
  return new Request('http://svc/upload', { method: 'PUT', body, duplex: 'half' } as RequestInit);
}

describe("a Request's slow body is the caller's time, not the endpoint's", () => {
  it('no attempt timeout is charged to an endpoint that answered at once', async () => {
    const server = await startServer(echo);
    cleanups.push(() => server.close());
    const client = createClient({ name: 'svc', discovery: [server.url], timeout: { attempt: 150, total: 5_000 } });
    cleanups.push(() => client.close());
    const events: AttemptEvent[] = [];
    client.on('attempt', (e) => events.push(e));

    // Today this rejects: TimeoutError 'attempt timed out after 150 ms (attempt 3 …)', the server having seen nothing.
    const res = await client.fetch(slowUpload(500));
    expect(await res.text()).toBe('part1,part2');
    // The server got one request and answered it at once.
    expect(server.requests).toHaveLength(1);
    expect(events.filter((e) => e.reason === 'attempt timeout')).toEqual([]);
    expect(client.stats().endpoints[0]!.failures).toBe(0);
    expect(client.stats().retries).toBe(0);
  });

  it('a hedged call sends no hedge while its own body is still being read', async () => {
    const servers = await startServers([echo, echo]);
    cleanups.push(() => servers.closeAll());
    const client = createClient({
      name: 'svc', discovery: servers.map((s) => s.url), picker: roundRobin(),
      hedge: { delay: 50, maxExtraLoad: 1 }, timeout: { attempt: 5_000, total: 10_000 },
    });
    cleanups.push(() => client.close());
    const res = await client.fetch(slowUpload(400));
    expect(await res.text()).toBe('part1,part2');
    // Both servers answer at once; only the caller's upload was slow. Today: 2 requests, stats().hedges.sent 1.
    expect(servers[0]!.requests.length + servers[1]!.requests.length).toBe(1);
    expect(client.stats().hedges.sent).toBe(0);
  });

  it('close() while the body is read rejects the call at once with ClientClosedError, and sends nothing', async () => {
    const server = await startServer(echo);
    cleanups.push(() => server.close());
    const client = createClient({ name: 'svc', discovery: [server.url], timeout: { total: 60_000 } });
    const call = client.fetch(slowUpload(5_000));
    const started = performance.now();
    await client.close();
    await expect(call).rejects.toBeInstanceOf(ClientClosedError);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(0);
  });
});
