// What broke (core-promises review, real servers): a killed endpoint refused two attempts, counted
// as ≥ 1 s slow, and the default peakEwma picker stopped picking it before its breaker could
// open; restarted, it got no call for 49.7 s (its estimate decaying), longer than an ejection.
// Now the penalty holds for health.ejectionTime; with 1 s here, the restarted endpoint gets calls
// again within a couple of seconds.
import { expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { restartableListener, startServer, ok } from '../helpers/servers.js';

const { track, defer } = closeAfterEach();

it('an endpoint killed and restarted gets calls again within about health.ejectionTime of its last refusal', async () => {
  // Every server answers in 5 ms, so that a connection's first, slower answer does not decide the picks.
  const a = await startServer(ok(5));
  const b = await startServer(ok(5));
  defer(() => a.close());
  defer(() => b.close());
  let reached = 0;
  const c = restartableListener((_req, res) => { reached++; setTimeout(() => res.end('c'), 5); });
  await c.listen();
  defer(() => c.stop());
  const client = track(createClient({
    name: 'svc',
    discovery: [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`, `127.0.0.1:${c.port}`],
    health: { ejectionTime: 1_000 },
  }));
  let refusals = 0;
  let lastRefusal = 0;
  client.on('attempt', (e) => {
    if (e.endpoint.port === c.port && e.verdict !== 'success') {
      refusals++;
      lastRefusal = performance.now();
    }
  });
  let stop = false;
  // Six callers at once: with calls in flight on the others, peakEwma spreads them (one caller
  // alone would keep to the two endpoints whose first answer happened to be quickest).
  const drive = async (): Promise<void> => {
    while (!stop) {
      const res = await client.fetch('/');
      expect(res.status).toBe(200);
      await res.text();
      await sleep(2);
    }
  };
  const driver = Promise.all(Array.from({ length: 6 }, drive));
  let back = 0;
  try {
    await until(() => reached >= 3, 3_000).catch((e) => { throw new Error(`c reached ${reached}: ${e}`); });
    await c.stop();
    await until(() => refusals >= 2, 3_000).catch((e) => { throw new Error(`refusals ${refusals}: ${e}`); });
    await c.listen();
    const before = reached;
    await until(() => reached > before, 5_000);
    back = performance.now();
  } finally {
    stop = true;
    await driver.catch(() => {});
  }
  // Back after the hold (1 s) from its last refusal, not after the ≈ 50 s the penalty took to decay.
  expect(back - lastRefusal).toBeGreaterThanOrEqual(900);
  expect(back - lastRefusal).toBeLessThan(3_000);
});
