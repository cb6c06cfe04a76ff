// What broke (the service-level circuit): calls the open circuit refused (nothing sent) counted in
// the hedge budget, so the burst of calls refused during an outage earned a burst of hedges just
// as the service recovered (20 hedges for 24 calls sent); and a call that sent failing attempts
// and then ran out of time (a backoff waking past the deadline) ended with no attempt of its own
// and was taken for one that sent nothing: the circuit ignored it.
import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitOpenError, createClient, type Client } from '../../src/index.js';
import { FakeClock, settle } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

describe('circuit: interplay', () => {
  it('calls refused by the open circuit (nothing sent) do not earn hedges: after recovery hedges stay within maxExtraLoad of the calls that were sent', async () => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], clock, health: false,
      retry: { attempts: 2, budget: false }, hedge: { delay: 10, maxExtraLoad: 0.05 },
      circuitBreaker: { breaker: () => new ConsecutiveBreaker(3), halfOpenAfter: 1_000 },
    });
    clients.push(client);
    const fail = (): Promise<string> => Promise.reject(new Error('down'));
    for (let i = 0; i < 3; i++) await client.execute(fail, { idempotent: false }).catch(() => {});
    expect(client.stats().circuit!.state).toBe('open');
    // While it is open, callers keep calling: 400 calls refused at once, nothing sent.
    for (let i = 0; i < 400; i++) await expect(client.execute(async () => 'x')).rejects.toBeInstanceOf(CircuitOpenError);
    await clock.advance(1_000);
    await expect(client.execute(async () => 'trial')).resolves.toBe('trial');
    expect(client.stats().circuit!.state).toBe('closed');
    // Back to normal: 20 calls, each answering after 50 ms.
    const slow = (): Promise<string> => new Promise((resolve) => { clock.setTimer(() => resolve('ok'), 50); });
    const calls = Array.from({ length: 20 }, () => client.execute(slow));
    await clock.advance(200);
    await Promise.all(calls);
    const stats = client.stats();
    // 24 calls reached the service (3 + the trial + 20): 5 % of them is about 1 hedge, not one per call.
    expect(stats.hedges.sent).toBeLessThanOrEqual(2);
  });

  it('a call that sent failing attempts and then ran out of its total time counts against the circuit', async () => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80'], clock, health: false,
      timeout: { attempt: 100, total: 1_000 },
      retry: { attempts: 2, budget: false, backoff: { base: 10, cap: 10 } },
      circuitBreaker: { breaker: () => new ConsecutiveBreaker(2), halfOpenAfter: 5_000 },
    });
    clients.push(client);
    // The event loop stalls while the call waits to retry (a GC pause, a slow synchronous listener).
    client.on('retry', () => clock.stall(2_000));
    let sent = 0;
    const fn = async (): Promise<string> => { sent++; throw new Error('down'); };
    for (let i = 0; i < 2; i++) {
      const p = client.execute(fn);
      p.catch(() => {});
      await settle(); // the attempt fails; the 'retry' listener stalls the loop past the deadline
      await clock.advance(10);
      await expect(p).rejects.toMatchObject({ name: 'TimeoutError', scope: 'total' });
    }
    // Both calls reached the service and failed (README: the circuit is "fed by the final outcomes
    // of calls that sent something"); stats() counts them failed; the breaker needs two failures.
    expect(sent).toBe(2);
    expect(client.stats().calls).toMatchObject({ failed: 2 });
    expect(client.stats().circuit!.state).toBe('open');
  });
});
