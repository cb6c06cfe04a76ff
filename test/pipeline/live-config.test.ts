import { afterEach, describe, expect, it } from 'vitest';
import { ClientClosedError, ConfigError, createClient, TimeoutError, type Client, type ConfigSource } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

// Live configuration: client.reconfigure and client.watchConfig, with a fake transport
// (execute) and an injected clock.

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

function setup(options: Partial<Parameters<typeof createClient>[0]> = {}): { clock: FakeClock; client: Client } {
  const clock = new FakeClock();
  const client = createClient({ name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], clock, health: false, ...options });
  clients.push(client);
  return { clock, client };
}

/** Waits for `call`, moving the fake clock on so backoff sleeps end (bounded: 100 steps). */
async function settle<T>(clock: FakeClock, call: Promise<T>): Promise<T> {
  let done = false;
  call.then(() => { done = true; }, () => { done = true; });
  for (let i = 0; i < 100 && !done; i++) await clock.advance(50);
  return call;
}

/** Fails `failures` times, then answers 'ok'; counts its attempts. */
function flaky(failures: number): { fn: () => Promise<string>; attempts: () => number } {
  let n = 0;
  return {
    fn: async () => {
      n++;
      if (n <= failures) throw new Error(`fail ${n}`);
      return 'ok';
    },
    attempts: () => n,
  };
}

describe('client.reconfigure', () => {
  it('turns retries off and back on for the calls that start afterwards', async () => {
    const { client, clock } = setup();
    const first = flaky(1);
    await expect(settle(clock, client.execute(first.fn))).resolves.toBe('ok');
    expect(first.attempts()).toBe(2);

    client.reconfigure({ retry: false });
    const second = flaky(1);
    await expect(client.execute(second.fn)).rejects.toThrow('fail 1');
    expect(second.attempts()).toBe(1);

    client.reconfigure({});
    const third = flaky(1);
    await expect(settle(clock, client.execute(third.fn))).resolves.toBe('ok');
    expect(third.attempts()).toBe(2);
  });

  it('a call in flight finishes under the configuration it started with', async () => {
    const { client, clock } = setup({ retry: { attempts: 3, backoff: { base: 0, cap: 0 } } });
    let n = 0;
    let release!: () => void;
    const call = client.execute(async () => {
      n++;
      if (n === 1) await new Promise<void>((r) => { release = r; });
      if (n < 3) throw new Error(`fail ${n}`);
      return 'ok';
    });
    await clock.advance(0);
    client.reconfigure({ retry: false });
    release();
    await expect(call).resolves.toBe('ok');
    expect(n).toBe(3);
  });

  it.each([false, true])('a call still waiting for its first endpoint set goes on under the configuration it started with (circuit breaker: %s)', async (circuit) => {
    let update!: (list: string[]) => void;
    const { client, clock } = setup({
      discovery: { watch(u) { update = u; return () => {}; } },
      retry: { attempts: 3, backoff: { base: 0, cap: 0 }, budget: { ratio: 0, minPerSecond: 0 } },
      ...(circuit ? { circuitBreaker: {} } : {}),
    });
    const f = flaky(10);
    const call = client.execute(f.fn);
    call.catch(() => {});
    await clock.advance(10);
    // The new document allows retries (no budget); the waiting call started with a budget that allows none.
    client.reconfigure({ retry: { attempts: 3, backoff: { base: 0, cap: 0 }, budget: false } });
    update(['10.0.0.1:80', '10.0.0.2:80']);
    await expect(settle(clock, call)).rejects.toThrow('fail 1');
    expect(f.attempts()).toBe(1);
    // A call started after the change retries.
    await expect(settle(clock, client.execute(flaky(1).fn))).resolves.toBe('ok');
  });

  it('changes timeouts and hedging for new calls', async () => {
    const { client, clock } = setup({ retry: false });
    client.reconfigure({ timeout: { attempt: 100 } });
    const slow = client.execute(() => new Promise<string>(() => {}));
    const settled = expect(slow).rejects.toBeInstanceOf(TimeoutError);
    await clock.advance(100);
    await settled;
    client.reconfigure({ hedge: { delay: 10, maxExtraLoad: 1 }, retry: { budget: { minPerSecond: 100 } } });
    const seen: string[] = [];
    client.on('hedge', () => seen.push('hedge'));
    let tries = 0;
    const call = client.execute(async (_e, { signal }) => {
      tries++;
      if (tries === 1) await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      return 'hedged';
    });
    await clock.advance(10);
    await expect(call).resolves.toBe('hedged');
    expect(seen).toEqual(['hedge']);
  });

  it('refuses an invalid document with a ConfigError naming the key, and keeps the configuration', async () => {
    const { client, clock } = setup({ retry: { attempts: 2 }, health: {} });
    expect(() => client.reconfigure({ retry: { attempts: 0 } })).toThrow(ConfigError);
    expect(() => client.reconfigure({ retry: { attempts: 0 } })).toThrow(/retry\.attempts/);
    expect(() => client.reconfigure({ discovery: [] } as never)).toThrow(/config\.discovery.*cannot change while the client runs/);
    expect(() => client.reconfigure({ health: { breaker: () => null } } as never)).toThrow(/config\.health\.breaker/);
    expect(() => client.reconfigure('retry: false' as never)).toThrow(ConfigError);
    const still = flaky(1);
    await expect(settle(clock, client.execute(still.fn))).resolves.toBe('ok');
    expect(still.attempts()).toBe(2);
  });

  it('health numbers change live; health cannot be turned on for a client created without it', () => {
    const { client } = setup();
    expect(() => client.reconfigure({ health: { maxEjectionPercent: 50 } })).toThrow(/cannot turn health tracking on/);
    const withHealth = setup({ health: {} }).client;
    const changes: unknown[] = [];
    withHealth.on('configChanged', (e) => changes.push(e.document));
    withHealth.reconfigure({ health: { maxEjectionPercent: 50, ejectionTime: 1_000 } });
    expect(changes).toEqual([{ health: { maxEjectionPercent: 50, ejectionTime: 1_000 } }]);
    expect(() => withHealth.reconfigure({ health: { ejectionTime: -1 } })).toThrow(/health\.ejectionTime/);
  });

  it('throws ClientClosedError after close()', async () => {
    const { client } = setup();
    await client.close();
    expect(() => client.reconfigure({})).toThrow(ClientClosedError);
  });
});

/** A source the test drives by hand. */
function manualSource(): ConfigSource & { push(doc: unknown): void; fail(err: unknown): void; stopped: number } {
  let update: ((d: unknown) => void) | undefined;
  let error: ((e: unknown) => void) | undefined;
  const source = {
    stopped: 0,
    watch(u: (d: unknown) => void, e: (err: unknown) => void) {
      update = u;
      error = e;
      return () => { source.stopped++; };
    },
    push: (doc: unknown) => update!(doc),
    fail: (err: unknown) => error!(err),
  };
  return source;
}

describe('client.watchConfig', () => {
  it('applies each document; a bad one or a failing source raises configRejected and changes nothing', async () => {
    const { client, clock } = setup();
    const source = manualSource();
    const rejected: unknown[] = [];
    client.on('configRejected', (e) => rejected.push(e.error));
    client.watchConfig(source);
    source.push({ retry: false });
    const off = flaky(1);
    await expect(client.execute(off.fn)).rejects.toThrow();
    expect(off.attempts()).toBe(1);

    source.push({ retry: { attempts: 'many' } });
    source.push(null);
    source.fail(new Error('etcd is down'));
    expect(rejected).toHaveLength(3);
    expect(rejected[0]).toBeInstanceOf(ConfigError);
    expect(String(rejected[0])).toMatch(/retry\.attempts/);
    expect((rejected[2] as Error).message).toBe('etcd is down');
    const stillOff = flaky(1);
    await expect(client.execute(stillOff.fn)).rejects.toThrow();
    expect(stillOff.attempts()).toBe(1);

    source.push({});
    const on = flaky(1);
    await expect(settle(clock, client.execute(on.fn))).resolves.toBe('ok');
  });

  it('the stop function and close() stop the source; later documents are ignored', async () => {
    const { client, clock } = setup();
    const a = manualSource();
    const b = manualSource();
    const stopA = client.watchConfig(a);
    client.watchConfig(b);
    await stopA();
    expect(a.stopped).toBe(1);
    a.push({ retry: false });
    const still = flaky(1);
    await expect(settle(clock, client.execute(still.fn))).resolves.toBe('ok');
    await client.close();
    expect(b.stopped).toBe(1);
    expect(a.stopped).toBe(1);
  });

  it('refuses something that is not a source', () => {
    const { client } = setup();
    expect(() => client.watchConfig({} as never)).toThrow(ConfigError);
  });
});
