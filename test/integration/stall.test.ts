// Regression: an attempt could start after the call's total deadline when a backoff sleep ended
// late because the event loop was blocked (the loop then armed a negative timer, and under load
// hundreds of requests reached servers after their call had given up). On real servers.
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin, TimeoutError } from '../../src/index.js';
import { closedPort, ok } from '../helpers/servers.js';
import { closeAfterEach } from '../helpers/lifecycle.js';

const { track, servers } = closeAfterEach();

function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* an event-loop stall */ }
}

describe('no attempt after the deadline', () => {
  it('a backoff that ends late, after a stall past the deadline, sends nothing', async () => {
    const [server] = await servers(ok());
    const dead = await closedPort();
    const client = track(createClient({
      name: 'svc', discovery: [dead, server!.url], picker: roundRobin({ random: () => 0 }),
      timeout: { total: 150 }, retry: { budget: false, backoff: { base: 50, cap: 50 } },
    }));
    // The first attempt is refused; as the retry is announced (the backoff wait is decided, its
    // timer not yet set) the loop is blocked well past the call's deadline, so the wait ends late.
    client.once('retry', () => block(250));
    const warnings: string[] = [];
    const onWarning = (w: Error): void => { warnings.push(w.name); };
    process.on('warning', onWarning);
    const err = await client.fetch('/x').catch((e: unknown) => e);
    process.off('warning', onWarning);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).scope).toBe('total');
    expect(server!.requests).toHaveLength(0);
    expect(warnings).not.toContain('TimeoutNegativeWarning');
  });

});
