import { afterEach, describe, expect, it } from 'vitest';
import { createClient, NoEndpointsError, roundRobin, TimeoutError, type Client, type Discovery, type Endpoint } from '../../src/index.js';

const clients: Client[] = [];
afterEach(async () => { await Promise.all(clients.splice(0).map((c) => c.close())); });
function make(...args: Parameters<typeof createClient>): Client {
  const c = createClient(...args);
  clients.push(c);
  return c;
}

const three = ['10.0.0.1:1', '10.0.0.2:1', '10.0.0.3:1'];

describe('execute', () => {
  it('passes the endpoint and attempt number, and retries a thrown error on a different endpoint', async () => {
    const client = make({ name: 'svc', discovery: three, picker: roundRobin(), retry: { budget: false, backoff: { base: 0, cap: 0 } } });
    const seen: string[] = [];
    const value = await client.execute(async (endpoint, { attempt }) => {
      seen.push(`${attempt}:${endpoint.host}`);
      if (attempt < 3) throw new Error('not yet');
      return endpoint.host;
    });
    expect(seen.map((s) => s.split(':')[0])).toEqual(['1', '2', '3']);
    expect(new Set(seen.map((s) => s.split(':')[1])).size).toBe(3);
    expect(value).toBe(seen[2]!.split(':')[1]);
  });

  it('runs each call\'s own function, retries included, when many calls without options run at once', async () => {
    const client = make({ name: 'svc', discovery: three, retry: { budget: false, backoff: { base: 0, cap: 1 } } });
    const calls = Array.from({ length: 60 }, (_, i) => client.execute(async (_endpoint, { attempt }) => {
      await new Promise((resolve) => setTimeout(resolve, i % 3));
      if (i % 4 === 0 && attempt === 1) throw new Error('once');
      return `${i}/${attempt}`;
    }));
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 60 }, (_, i) => `${i}/${i % 4 === 0 ? 2 : 1}`));
  });

  it('rejects with the last error when every attempt fails', async () => {
    const client = make({ name: 'svc', discovery: three, retry: { attempts: 2, budget: false, backoff: { base: 0, cap: 0 } } });
    let n = 0;
    await expect(client.execute(async () => { throw new Error(`fail ${++n}`); })).rejects.toThrow('fail 2');
  });

  it('idempotent: false retries only errors that prove nothing was sent', async () => {
    const client = make({ name: 'svc', discovery: three, retry: { budget: false, backoff: { base: 0, cap: 0 } } });
    let calls = 0;
    await expect(client.execute(async () => { calls++; throw new Error('maybe applied'); }, { idempotent: false })).rejects.toThrow('maybe applied');
    expect(calls).toBe(1);
    calls = 0;
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const v = await client.execute(async () => { if (++calls === 1) throw refused; return 'ok'; }, { idempotent: false });
    expect(v).toBe('ok');
  });

  it('classify decides what an outcome means', async () => {
    const client = make({ name: 'svc', discovery: three, retry: { budget: false, backoff: { base: 0, cap: 0 } } });
    let calls = 0;
    // A "not found" error is the caller's problem: no retry, endpoint healthy.
    const notFound = Object.assign(new Error('no such row'), { status: 404 });
    await expect(client.execute(async () => { calls++; throw notFound; }, {
      classify: (o) => (!o.ok && (o.error as { status?: number }).status === 404 ? 'success' : o.ok ? 'success' : 'retry'),
    })).rejects.toBe(notFound);
    expect(calls).toBe(1);
    // A value that says "busy" is retried.
    calls = 0;
    const v = await client.execute(async () => (++calls < 2 ? 'busy' : 'done'), { classify: (o) => (o.ok && o.value === 'busy' ? 'retry' : 'success') });
    expect(v).toBe('done');
    const stats = client.stats();
    expect(stats.endpoints.reduce((n, e) => n + e.failures, 0)).toBe(1);
  });

  it('creates no AbortController unless the function reads the signal, and aborts it on attempt timeout', async () => {
    const client = make({ name: 'svc', discovery: three, timeout: { attempt: 50, total: 1_000 }, retry: { attempts: 2, budget: false } });
    const signals: AbortSignal[] = [];
    const err = await client.execute((_e: Endpoint, ctx) => {
      signals.push(ctx.signal);
      return new Promise(() => {});
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).scope).toBe('attempt');
    expect(signals).toHaveLength(2);
    expect(signals.every((s) => s.aborted && s.reason instanceof TimeoutError)).toBe(true);
  });

  it('a signal read after its attempt was given up is already aborted, not the next attempt\'s', async () => {
    const client = make({ name: 'svc', discovery: three, timeout: { attempt: 30, total: 1_000 }, retry: { budget: false, backoff: { base: 0, cap: 0 } } });
    const contexts: { signal: AbortSignal }[] = [];
    let lateSignal: AbortSignal | undefined;
    const value = await client.execute(async (_e, ctx) => {
      contexts.push(ctx);
      if (ctx.attempt === 1) return new Promise<string>(() => {});
      lateSignal = contexts[0]!.signal;
      expect(lateSignal).not.toBe(ctx.signal);
      return 'second';
    });
    expect(value).toBe('second');
    expect(lateSignal?.aborted).toBe(true);
  });

  it('a throwing event listener does not change the call; its error is rethrown on its own', async () => {
    const client = make({ name: 'svc', discovery: three });
    const boom = new Error('listener bug');
    client.on('attempt', () => { throw boom; });
    // Take the uncaught exception ourselves for a moment, instead of the test runner.
    const saved = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    const uncaught = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
    try {
      await expect(client.execute(async () => 'fine')).resolves.toBe('fine');
      expect(await uncaught).toBe(boom);
    } finally {
      for (const l of saved) process.on('uncaughtException', l);
    }
    expect(client.stats().calls.succeeded).toBe(1);
  });

  it('waits for a first endpoint set, then runs', async () => {
    let push: ((l: string[]) => void) | undefined;
    const discovery: Discovery = { watch(update) { push = update; return () => {}; } };
    const client = make({ name: 'svc', discovery });
    const pending = client.execute(async (e) => e.id);
    setTimeout(() => push!(['127.0.0.1:9']), 20);
    await expect(pending).resolves.toBe('http://127.0.0.1:9');
  });

  it('rejects with NoEndpointsError when the set is empty, and TimeoutError when none ever arrives', async () => {
    const empty = make({ name: 'svc', discovery: [] });
    await expect(empty.execute(async () => 1)).rejects.toBeInstanceOf(NoEndpointsError);
    const silent = make({ name: 'svc', discovery: { watch: () => () => {} } });
    const err = await silent.execute(async () => 1, { timeout: { total: 50 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).scope).toBe('total');
  });

  it('fails fast with NoEndpointsError carrying the cause once discovery failed before any set', async () => {
    const failing = make({ name: 'svc', discovery: { watch: (_u, error) => { error(new Error('registry down')); return () => {}; } } });
    const started = performance.now();
    const err = await failing.execute(async () => 1, { timeout: { total: 5_000 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoEndpointsError);
    expect((err as Error).cause).toMatchObject({ message: 'registry down' });
    expect(performance.now() - started).toBeLessThan(1_000);
    // A call already waiting when the error arrives fails then, not at its deadline.
    let fail: ((e: unknown) => void) | undefined;
    const later = make({ name: 'svc', discovery: { watch: (_u, error) => { fail = error; return () => {}; } } });
    const waiting = later.execute(async () => 1, { timeout: { total: 5_000 } });
    setTimeout(() => fail!(new Error('resolver failed')), 20);
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_BULWARK_NO_ENDPOINTS', cause: { message: 'resolver failed' } });
    // waitForEndpoints: true keeps waiting, up to the deadline.
    const patient = make({ name: 'svc', waitForEndpoints: true, discovery: { watch: (_u, error) => { error(new Error('registry down')); return () => {}; } } });
    const late = await patient.execute(async () => 1, { timeout: { total: 50 } }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(TimeoutError);
    expect((late as Error).cause).toMatchObject({ message: 'registry down' });
  });
});
