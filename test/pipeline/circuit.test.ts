import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitOpenError, ConfigError, createClient, type CircuitEvent, type Client } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

// The service-level circuit breaker, with a fake transport and an injected clock.

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

function setup(): { clock: FakeClock; client: Client; events: CircuitEvent[]; state: { down: boolean; calls: number } } {
  const clock = new FakeClock();
  const client = createClient({
    name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80'], clock, retry: false, health: false,
    circuitBreaker: { breaker: () => new ConsecutiveBreaker(3), halfOpenAfter: 5_000 },
  });
  clients.push(client);
  const events: CircuitEvent[] = [];
  client.on('circuit', (e) => events.push(e));
  return { clock, client, events, state: { down: true, calls: 0 } };
}

describe('service-level circuit breaker (fake clock)', () => {
  it("times the trial from after a slow 'half-open' listener: past the total deadline nothing is sent", async () => {
    const { clock, client, state } = setup();
    const fn = async (): Promise<string> => {
      state.calls++;
      throw new Error('down');
    };
    for (let i = 0; i < 3; i++) await expect(client.execute(fn)).rejects.toThrow('down');
    await clock.advance(5_000);
    client.on('circuit', (e) => { if (e.state === 'half-open') clock.stall(20_000); });
    await expect(client.execute(fn, { timeout: { total: 1_000 } })).rejects.toMatchObject({ name: 'TimeoutError', scope: 'total' });
    expect(state.calls).toBe(3);
  });

  it('opens after the breaker says so, fails calls at once without running them, lets one trial through after halfOpenAfter, and closes on its success', async () => {
    const { clock, client, events, state } = setup();
    const fn = async (): Promise<string> => {
      state.calls++;
      if (state.down) throw new Error('down');
      return 'up';
    };
    for (let i = 0; i < 3; i++) await expect(client.execute(fn)).rejects.toThrow('down');
    expect(events).toEqual([{ state: 'open', previous: 'closed' }]);
    await expect(client.execute(fn)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(state.calls).toBe(3);
    await clock.advance(5_000);
    // The trial fails: open again, for another halfOpenAfter.
    await expect(client.execute(fn)).rejects.toThrow('down');
    expect(events.map((e) => e.state)).toEqual(['open', 'half-open', 'open']);
    await expect(client.execute(fn)).rejects.toBeInstanceOf(CircuitOpenError);
    state.down = false;
    await clock.advance(5_000);
    await expect(client.execute(fn)).resolves.toBe('up');
    expect(events.map((e) => e.state)).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
    await expect(client.execute(fn)).resolves.toBe('up');
    expect(client.stats().circuit).toEqual({ state: 'closed', rejected: 2 });
    // Rejected calls are calls that failed: the books add up.
    expect(client.stats().calls).toMatchObject({ started: 8, succeeded: 2, failed: 6 });
  });

  it('one trial at a time while half-open; a cancelled call counts for nothing', async () => {
    const { clock, client, state } = setup();
    for (let i = 0; i < 3; i++) await client.execute(async () => { throw new Error('down'); }).catch(() => {});
    await clock.advance(5_000);
    let release!: (v: string) => void;
    const trial = client.execute(() => new Promise<string>((r) => { release = r; }));
    await expect(client.execute(async () => 'x')).rejects.toBeInstanceOf(CircuitOpenError);
    release('ok');
    await expect(trial).resolves.toBe('ok');
    expect(client.stats().circuit!.state).toBe('closed');
    const controller = new AbortController();
    const aborted = client.execute(() => new Promise<string>(() => {}), { signal: controller.signal });
    controller.abort('stop');
    await expect(aborted).rejects.toBe('stop');
    expect(client.stats().circuit!.state).toBe('closed');
    void state;
  });

  it('counts only calls that sent something: failing fast while discovery is down does not open it', async () => {
    let update!: (list: string[]) => void;
    let fail!: (err: unknown) => void;
    const client = createClient({
      name: 'svc', clock: new FakeClock(), retry: false, health: false,
      discovery: { watch: (u, e) => { update = u; fail = e; return () => {}; } },
      circuitBreaker: { breaker: () => new ConsecutiveBreaker(3), halfOpenAfter: 5_000 },
    });
    clients.push(client);
    const events: CircuitEvent[] = [];
    client.on('circuit', (e) => events.push(e));
    fail(new Error('registry down'));
    // Nothing sent: NoEndpointsError, and a picker of no use, say nothing about the service.
    for (let i = 0; i < 5; i++) await expect(client.execute(() => 'x')).rejects.toMatchObject({ name: 'NoEndpointsError' });
    update(['10.0.0.1:80']);
    // Before, those five had opened the circuit: CircuitOpenError for 5 s after discovery was back.
    expect(await client.execute(() => 'x')).toBe('x');
    expect(events).toEqual([]);
    expect(client.stats().circuit).toEqual({ state: 'closed', rejected: 0 });
  });

  it('is off by default and validates its options', () => {
    const plain = createClient({ name: 'svc', discovery: ['10.0.0.1:80'] });
    clients.push(plain);
    expect(plain.stats().circuit).toBeNull();
    for (const [opt, path] of [[{ halfOpenAfter: 0 }, 'circuitBreaker.halfOpenAfter'], [{ breaker: {} }, 'circuitBreaker.breaker'], [3, 'circuitBreaker']] as const) {
      const err = (() => { try { createClient({ name: 'svc', discovery: ['10.0.0.1:80'], circuitBreaker: opt as never }); } catch (e) { return e; } return undefined; })();
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).path).toBe(path);
    }
  });
});
