// The default service-level circuit breaker (cockatiel's SamplingBreaker) forgot one of its ten
// 1 s buckets per recorded call, however long ago the current one started: after ten quiet
// minutes, one failed call was judged with the 60 calls of before and opened the circuit, and
// every call then failed with CircuitOpenError for `halfOpenAfter`. It also read Date.now(), not
// the client's clock. The default is now bulwark's FailureRateBreaker, same rule, on the client's
// clock, forgetting what is older than the window.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type Client } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

describe('default circuit breaker window', () => {
  it('does not count calls from ten minutes ago', async () => {
    const clock = new FakeClock();
    const tick = (ms: number): Promise<void> => clock.advance(ms);
    const client = createClient({ name: 'svc', discovery: ['10.0.0.1:80'], clock, retry: false, health: false, circuitBreaker: {} });
    clients.push(client);
    const states: string[] = [];
    client.on('circuit', (e) => states.push(e.state));
    const call = (fail: boolean): Promise<unknown> => client.execute(() => { if (fail) throw new Error('boom'); return 'ok'; }).catch((e: unknown) => e);

    // 10 s at 6 calls a second, every other one failing: never more than half, so it stays closed.
    for (let i = 0; i < 60; i++) {
      await call(i % 2 === 1);
      await tick(1_000 / 6);
    }
    expect(states).toEqual([]);

    // Ten quiet minutes, then one failed call.
    await tick(600_000);
    await call(true);
    expect(states).toEqual([]);
    expect(client.stats().circuit?.state).toBe('closed');
  });
});
