// What broke: with health on (the default), an attempt that ran into its attempt timeout is the endpoint's first failure in a row and leaves its peak-EWMA latency untouched, so a fast endpoint that turns into a black hole keeps winning picks and stalls the next calls for a full attempt timeout each (a lost hedge, cut short the same way, counts as at least the time it ran).
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { ok, type Handler } from '../helpers/servers.js';
import { closeAfterEach } from '../helpers/lifecycle.js';

const { track, servers } = closeAfterEach();

describe('peak-EWMA after an attempt timeout (sequential caller, defaults but a 300 ms attempt timeout)', () => {
  it('a fast endpoint that stops answering is avoided on the very next pick once an attempt to it timed out', async () => {
    let trials = 0;
    const latencyAfterTimeout: number[] = [];
    let secondStalls = 0;
    for (let trial = 0; trial < 6; trial++) {
      let blackHole = false;
      const h: Handler = (req, res) => { req.resume(); if (!blackHole) res.end('ok'); };
      const [bh, a, b] = await servers(h, ok(), ok());
      const client = track(createClient({ name: 'svc', discovery: [bh!.url, a!.url, b!.url], timeout: { attempt: 300 } }));
      // Warm up until every endpoint has latency samples (peak-EWMA probes unsampled ones).
      for (let i = 0; i < 30; i++) await (await client.fetch('/x')).arrayBuffer();
      if (client.stats().endpoints.some((e) => e.successes === 0)) continue;
      blackHole = true;
      let timeouts = 0;
      client.on('attempt', (e) => { if (e.endpoint.url === bh!.url && e.reason === 'attempt timeout') timeouts++; });
      // Sequential calls until the first attempt timeout on the black hole.
      for (let i = 0; i < 200 && timeouts === 0; i++) await (await client.fetch('/x')).arrayBuffer();
      if (timeouts === 0) continue;
      trials++;
      latencyAfterTimeout.push(Math.round(client.stats().endpoints.find((e) => e.url === bh!.url)!.latency));
      // The next 20 sequential calls: how many stall again on it?
      for (let i = 0; i < 20; i++) await (await client.fetch('/x')).arrayBuffer();
      secondStalls += timeouts - 1;
      await client.close();
    }
    expect(trials).toBeGreaterThan(0);
    // Expected: the estimate reflects that the attempt ran at least 300 ms (read a moment later,
    // it has decayed a little); observed before: it stayed at the ~1 ms of the warm-up.
    for (const l of latencyAfterTimeout) expect(l).toBeGreaterThanOrEqual(250);
    // Expected: no further 300 ms stalls on the black hole right after the first.
    expect(secondStalls).toBe(0);
  }, 60_000);
});
