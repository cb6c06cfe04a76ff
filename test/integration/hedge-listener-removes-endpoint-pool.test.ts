// What broke: a `hedge` listener that makes discovery drop the hedge's endpoint still lets the
// hedge go out: the removed host got the request, and undici made a Pool for it that was never
// closed (openPools stayed 2 with 1 endpoint left). Now the hedge is not sent.
import { afterEach, describe, expect, it } from 'vitest';
import { createUndiciClient, type UndiciClient } from '../../src/undici/index.js';
import { startServer, type TestServer } from '../helpers/servers.js';
import type { EndpointInit } from '../../src/index.js';

let servers: TestServer[] = [];
let client: UndiciClient | undefined;
afterEach(async () => {
  await client?.close();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe('hedge listener removing the hedge endpoint', () => {
  it('leaves no pool open for the endpoint discovery removed', async () => {
    const slow = await startServer((req, res) => { req.resume(); setTimeout(() => res.end('slow'), 150); });
    const fast = await startServer((req, res) => { req.resume(); setTimeout(() => res.end('fast'), 150); });
    servers = [slow, fast];
    let push!: (set: readonly EndpointInit[]) => void;
    client = createUndiciClient({
      name: 'r',
      discovery: { watch(update) { push = update; update([slow.url]); return () => {}; } },
      hedge: { delay: 20, maxExtraLoad: 1 },
      health: false,
    });
    // Warm the slow endpoint's pool; the hedge budget needs calls in its window.
    for (let i = 0; i < 3; i++) (await client.request('/', { hedge: false })).body.dump();
    push([slow.url, fast.url]);
    let hedged = 0;
    let gone = '';
    let before = 0;
    const attempts: { url: string; verdict: string; reason: string }[] = [];
    client.on('attempt', (e) => attempts.push({ url: e.endpoint.url, verdict: e.verdict, reason: e.reason }));
    client.on('hedge', (e) => {
      hedged++;
      // The hedge's endpoint leaves the set before the hedge goes.
      gone = e.endpoint.url;
      before = (gone === slow.url ? slow : fast).requests.length;
      push([slow.url, fast.url].filter((u) => u !== e.endpoint.url));
    });
    const res = await client.request('/');
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    await new Promise((r) => setTimeout(r, 50));
    expect(hedged).toBe(1);
    expect(client.endpoints().map((e) => e.url)).not.toContain(gone);
    expect(client.endpoints().length).toBe(1);
    // Expected: the removed endpoint's pool closed once its calls ended (or never made): only the remaining endpoint's is open.
    expect(client.openPools).toBe(1);
    // The removed host got nothing; the hedge ended unsent (its budget token back), the call
    // answered by the attempt already running.
    expect((gone === slow.url ? slow : fast).requests.length).toBe(before);
    expect(attempts).toEqual([
      { url: gone, verdict: 'retry', reason: 'not sent (endpoint removed)' },
      { url: [slow.url, fast.url].find((u) => u !== gone), verdict: 'success', reason: 'status 200' },
    ]);
  });
});
