// What broke (the service-level circuit's half-open trial): a user's breaker never heard the
// trial's verdict (cockatiel's policy calls success(HalfOpen) / failure(HalfOpen), which is what
// resets a breaker the factory hands out again), so a shared breaker reopened on the first
// failure after recovery; and a `circuit` listener whose own warm-up call was the trial, and
// closed the circuit at once, left the triggering call recorded as the trial of a closed circuit
// (its one failure then reopened it, whatever the breaker said).
import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitOpenError, CircuitState, createClient, type CircuitEvent, type Client, type IBreaker } from '../../src/index.js';
import { FakeClock, settle } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

const down = async (): Promise<string> => {
  throw new Error('down');
};

describe('circuit: half-open trial', () => {
  it('a call made from a half-open listener that settles at once does not leave the triggering call as a trial of a closed circuit (one failure then must not open it)', async () => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80'], clock, retry: false, health: false,
      circuitBreaker: { breaker: () => new ConsecutiveBreaker(3), halfOpenAfter: 5_000 },
    });
    clients.push(client);
    const events: CircuitEvent[] = [];
    client.on('circuit', (e) => events.push(e));
    for (let i = 0; i < 3; i++) await client.execute(down).catch(() => {});
    expect(client.stats().circuit!.state).toBe('open');
    await clock.advance(5_000);
    // A listener that sends a warm-up call as soon as the circuit lets one through; its fn answers synchronously.
    let warm: Promise<string> | undefined;
    client.once('circuit', (e) => { if (e.state === 'half-open') warm = client.execute(() => 'warm'); });
    // This call moves the circuit to half-open; the warm-up call becomes the trial and closes it.
    const triggering = client.execute(down);
    await expect(warm).resolves.toBe('warm');
    await triggering.catch(() => {});
    expect(events.map((e) => e.state)).toEqual(['open', 'half-open', 'closed']);
    // One failure against a fresh ConsecutiveBreaker(3) of a closed circuit: it stays closed.
    expect(client.stats().circuit!.state).toBe('closed');
    await expect(client.execute(async () => 'ok')).resolves.toBe('ok');
  });

  it("tells the user's breaker about the trial as cockatiel's circuitBreaker does: success(HalfOpen) when it closes, so a breaker the factory hands out again starts over", async () => {
    const clock = new FakeClock();
    // One breaker for the one circuit of this client (the factory returns it each time).
    const shared = new ConsecutiveBreaker(3);
    const client = createClient({
      name: 'svc', discovery: ['10.0.0.1:80'], clock, retry: false, health: false,
      circuitBreaker: { breaker: () => shared, halfOpenAfter: 5_000 },
    });
    clients.push(client);
    for (let i = 0; i < 3; i++) await client.execute(down).catch(() => {});
    expect(client.stats().circuit!.state).toBe('open');
    await clock.advance(5_000);
    await expect(client.execute(async () => 'up')).resolves.toBe('up');
    expect(client.stats().circuit!.state).toBe('closed');
    // cockatiel's policy calls breaker.success(CircuitState.HalfOpen) on closing, which resets a
    // ConsecutiveBreaker: one failure after recovery does not open it again.
    await client.execute(down).catch(() => {});
    expect(client.stats().circuit!.state).toBe('closed');
    await expect(client.execute(async () => 'ok')).resolves.toBe('ok');
  });

  it("passes CircuitState.HalfOpen to a breaker of the user's for the trial's verdict (IBreaker protocol)", async () => {
    const clock = new FakeClock();
    const seen: string[] = [];
    class Recording implements IBreaker {
      state: unknown = 0;
      success(state: CircuitState): void { seen.push(`success:${CircuitState[state]}`); }
      failure(state: CircuitState): boolean { seen.push(`failure:${CircuitState[state]}`); return true; }
    }
    const client = createClient({
      name: 'svc', discovery: ['10.0.0.1:80'], clock, retry: false, health: false,
      circuitBreaker: { breaker: () => new Recording(), halfOpenAfter: 1_000 },
    });
    clients.push(client);
    await client.execute(down).catch(() => {});
    await clock.advance(1_000);
    await client.execute(down).catch(() => {}); // the trial fails
    await clock.advance(1_000);
    await client.execute(async () => 'up'); // the trial succeeds
    expect(seen).toEqual(['failure:Closed', 'failure:HalfOpen', 'success:HalfOpen']);
  });
});
