// What broke (the service-level circuit): a `circuit` listener reading stats() saw the call that
// opened the circuit still in flight (the circuit, the first observer of a call's end, announced
// the change before the books had it); a `circuitBreaker.breaker` factory returning something
// that is not a breaker (`() => undefined`) was accepted, and then failed every later call with
// PluginError. The change is now announced once every observer has seen the call end, and such
// a factory is refused when the client is made.
import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type Client, type ClientStats } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

describe('circuit: books and factories', () => {
  it("stats() read in an 'open' listener counts the call that opened the circuit as ended, not in flight", async () => {
    const client = createClient({
      name: 'svc', discovery: ['10.0.0.1:80'], clock: new FakeClock(), retry: false, health: false,
      circuitBreaker: { breaker: () => new ConsecutiveBreaker(3), halfOpenAfter: 5_000 },
    });
    clients.push(client);
    let seen: ClientStats['calls'] | undefined;
    client.on('circuit', (e) => { if (e.state === 'open') seen = client.stats().calls; });
    for (let i = 0; i < 3; i++) await client.execute(async () => { throw new Error('down'); }).catch(() => {});
    expect(client.stats().calls).toEqual({ started: 3, succeeded: 0, failed: 3, inflight: 0 });
    // The event reports that three calls failed: the listener's books should say so.
    expect(seen).toEqual({ started: 3, succeeded: 0, failed: 3, inflight: 0 });
  });

  it('createClient refuses a circuitBreaker.breaker factory that returns something that is not a breaker, instead of failing every later call', async () => {
    let created: Client | undefined;
    let thrown: unknown;
    try {
      created = createClient({ name: 'svc', discovery: ['10.0.0.1:80'], health: false, circuitBreaker: { breaker: () => undefined as never } });
      clients.push(created);
    } catch (err) {
      thrown = err;
    }
    if (created !== undefined) {
      // What a user sees otherwise: every call fails, a success included.
      const err = await created.execute(() => 'ok').then(() => undefined, (e: unknown) => e);
      expect({ createClientThrew: false, firstCall: (err as Error | undefined)?.message }).toEqual({ createClientThrew: true, firstCall: undefined });
    }
    expect(thrown).toMatchObject({ code: expect.stringMatching(/ERR_BULWARK_(CONFIG|PLUGIN)/) });
  });
});
