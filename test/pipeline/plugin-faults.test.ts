import { CircuitState, ConsecutiveBreaker, type IBreaker } from 'cockatiel';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, PluginError, type AttemptEvent, type Client, type ClientOptions, type EndpointState, type Picker } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

// A user's plugin that throws where the pipeline records an attempt or a call (a breaker, a
// picker's update) or where it starts one (an execute fn's thenable): every call still settles
// once, with PluginError for a plugin, and the books still add up. Fake transport, fake clock.

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

function setup(options: Partial<ClientOptions>): { client: Client; attempts: AttemptEvent[] } {
  const client = createClient({
    name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80'], clock: new FakeClock(),
    retry: { backoff: { base: 0, cap: 0 }, budget: false }, ...options,
  });
  clients.push(client);
  const attempts: AttemptEvent[] = [];
  client.on('attempt', (e) => attempts.push(e));
  return { client, attempts };
}

/** A breaker whose `success` or `failure` throws. */
const throwingBreaker = (on: 'success' | 'failure') => (): IBreaker => ({
  state: undefined,
  success: () => { if (on === 'success') throw new Error('breaker bug'); },
  failure: () => { if (on === 'failure') throw new Error('breaker bug'); return false; },
});

const ok = async (): Promise<string> => 'ok';
const down = async (): Promise<string> => { throw new Error('service down'); };

/** Settled calls, in-flight 0, and every attempt counted once on its endpoint and in the events. */
function expectBooks(client: Client, attempts: AttemptEvent[]): void {
  const stats = client.stats();
  expect(stats.calls.inflight).toBe(0);
  expect(stats.calls.started).toBe(stats.calls.succeeded + stats.calls.failed);
  expect(attempts).toHaveLength(stats.attempts);
  expect(stats.endpoints.reduce((n, e) => n + e.successes + e.failures + e.cancelled + e.inflight, 0)).toBe(stats.attempts);
}

describe('a plugin that throws while a call is recorded', () => {
  it.each(['success', 'failure'] as const)('health.breaker whose %s() throws: the call fails with PluginError(health.breaker)', async (on) => {
    const { client, attempts } = setup({ retry: false, health: { breaker: throwingBreaker(on) } });
    const error = await client.execute(on === 'success' ? ok : down).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginError);
    expect(error).toMatchObject({ plugin: 'health.breaker', message: `svc: health.breaker ${on}() threw` });
    expect((error as Error).cause).toEqual(new Error('breaker bug'));
    expectBooks(client, attempts);
  });

  it("circuitBreaker.breaker whose failure() throws: the call fails with PluginError(circuitBreaker.breaker), and calls go on", async () => {
    const { client, attempts } = setup({ retry: false, circuitBreaker: { breaker: throwingBreaker('failure') } });
    await expect(client.execute(down)).rejects.toMatchObject({ plugin: 'circuitBreaker.breaker' });
    await expect(client.execute(ok)).resolves.toBe('ok');
    expectBooks(client, attempts);
    expect(client.stats().calls).toMatchObject({ started: 2, succeeded: 1, failed: 1 });
  });

  it("a picker whose update() throws when an ejection shrinks its list: that call fails with PluginError(picker), the next ones still settle", async () => {
    let list: readonly EndpointState[] = [];
    const picker: Picker = {
      name: 'shrinkHater',
      update(l) { if (l.length < list.length) throw new Error('picker bug'); list = l; },
      pick() { return list[0]; },
    };
    // One failure ejects (a breaker that opens at once); maxEjectionPercent 100 allows it.
    const { client, attempts } = setup({ retry: false, picker, health: { breaker: () => ({ state: undefined, success() {}, failure: () => true }), maxEjectionPercent: 100 } });
    const error = await client.execute(down).catch((e: unknown) => e);
    expect(error).toMatchObject({ plugin: 'picker', message: 'svc: picker shrinkHater.update() threw' });
    // The picker kept its list and returns the ejected endpoint, which it was no longer given:
    // the next call settles too, failing with PluginError, and nothing reaches that endpoint.
    await expect(client.execute(ok)).rejects.toMatchObject({ plugin: 'picker', message: 'svc: picker shrinkHater.pick() returned an endpoint it was not given (ejected by health, or outside the subset)' });
    expectBooks(client, attempts);
  });

  it.each(['health', 'circuitBreaker'] as const)('a %s.breaker factory that throws fails createClient with PluginError', (option) => {
    const breaker = (): IBreaker => { throw new Error('no'); };
    expect(() => createClient({ name: 'svc', discovery: ['10.0.0.1:80'], ...(option === 'health' ? { health: { breaker } } : { circuitBreaker: { breaker } }) }))
      .toThrow(expect.objectContaining({ plugin: `${option}.breaker`, message: `svc: ${option}.breaker factory threw` }));
  });

  it("a circuit breaker whose success() throws: the call fails with PluginError and is counted failed, not succeeded", async () => {
    const { client, attempts } = setup({ retry: false, circuitBreaker: { breaker: throwingBreaker('success') } });
    await expect(client.execute(ok)).rejects.toMatchObject({ plugin: 'circuitBreaker.breaker' });
    expect(client.stats().calls).toMatchObject({ started: 1, succeeded: 0, failed: 1 });
    expectBooks(client, attempts);
  });

  it('a response kept from an earlier attempt (a value to retry) does not hide a plugin failure on the next: the call fails with PluginError', async () => {
    let n = 0;
    const { client } = setup({
      retry: { attempts: 2, backoff: { base: 0, cap: 0 }, budget: false },
      health: { breaker: () => ({ state: undefined, success() { if (n === 2) throw new Error('breaker bug'); }, failure: () => false }) },
    });
    const error = await client.execute(async () => (++n === 1 ? 'busy' : 'fine'), { classify: (o) => (o.ok && o.value === 'busy' ? 'retry' : undefined) }).catch((e: unknown) => e);
    expect(n).toBe(2);
    expect(error).toMatchObject({ plugin: 'health.breaker' });
  });

  it("a classify that throws says nothing about the endpoint or the service: the calls fail with PluginError, nothing is ejected, the circuit stays closed", async () => {
    // One failure would eject an endpoint, and two open the circuit.
    const { client, attempts } = setup({
      retry: false, health: { breaker: () => new ConsecutiveBreaker(1), maxEjectionPercent: 100 },
      circuitBreaker: { breaker: () => new ConsecutiveBreaker(2) },
    });
    const classify = (): never => { throw new Error('classify bug'); };
    for (let i = 0; i < 4; i++) await expect(client.execute(ok, { classify })).rejects.toMatchObject({ plugin: 'classify' });
    expect(client.stats().endpoints.map((e) => e.health?.status)).toEqual(['healthy', 'healthy']);
    expect(client.stats().circuit).toEqual({ state: 'closed', rejected: 0 });
    await expect(client.execute(ok)).resolves.toBe('ok');
    expectBooks(client, attempts);
  });

  it('a breaker of your own that behaves works as before: its answer to failure() decides the ejection', async () => {
    let failures = 0;
    const { client } = setup({ retry: false, health: { breaker: () => ({ state: CircuitState.Closed, success() {}, failure: () => ++failures >= 2 }) } });
    await expect(client.execute(ok)).resolves.toBe('ok');
    await client.execute(down).catch(() => {});
    await client.execute(down).catch(() => {});
    expect(client.stats().endpoints.map((e) => e.health?.status)).toContain('ejected');
  });
});

describe("an execute fn's thenable whose then() throws", () => {
  it('is a failed attempt like a throw: retried, and the call rejects with the error once the attempts are used; fn runs once per attempt', async () => {
    const { client, attempts } = setup({ retry: { attempts: 3, backoff: { base: 0, cap: 0 }, budget: false } });
    let runs = 0;
    const bad = (): Promise<string> => { runs++; return { then() { throw new Error('bad thenable'); } } as unknown as Promise<string>; };
    await expect(client.execute(bad)).rejects.toThrow('bad thenable');
    expect(runs).toBe(3);
    expect(attempts.map((a) => a.verdict)).toEqual(['retry', 'retry', 'retry']);
    expectBooks(client, attempts);
  });
});

describe('what fn throws is not a plugin', () => {
  it('an error whose properties throw when read (a getter, a Proxy) still rejects the call as thrown, not as a classify failure', async () => {
    const { client, attempts } = setup({ retry: false });
    const proxy = new Proxy({}, { get() { throw new Error('gotcha'); } });
    const getter = Object.defineProperty(new Error('mine'), 'code', { get() { throw new Error('getter'); } });
    for (const thrown of [proxy, getter]) {
      await expect(client.execute(() => { throw thrown; })).rejects.toBe(thrown);
    }
    expect(attempts.map((a) => a.verdict)).toEqual(['retry', 'retry']);
  });
});
