import { afterEach, describe, expect, it } from 'vitest';
import { ClientClosedError, createClient, roundRobin, TimeoutError, type AttemptContext, type Client, type ClientOptions, type Endpoint } from '../../src/index.js';
import { deferred, FakeClock, settle } from '../helpers/fake-clock.js';

// Loop logic with a fake transport (an execute function the test drives) and an injected
// clock: nothing here waits on the wall clock.

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

interface Seen { endpoint: string; attempt: number; signal: AbortSignal }

function setup(options: Partial<ClientOptions> = {}): { clock: FakeClock; client: Client; seen: Seen[] } {
  const clock = new FakeClock();
  const client = createClient({
    name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], picker: roundRobin({ random: () => 0 }),
    clock, ...options,
  });
  clients.push(client);
  return { clock, client, seen: [] };
}

/** An attempt function that never answers by itself and records what it was given. */
function hanging(seen: Seen[]): (e: Endpoint, c: AttemptContext) => Promise<never> {
  return (endpoint, ctx) => {
    seen.push({ endpoint: endpoint.id, attempt: ctx.attempt, signal: ctx.signal });
    return new Promise<never>((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
  };
}

describe('deadlines (fake clock)', () => {
  it('an attempt times out at its deadline, not before, and the retry goes to another endpoint', async () => {
    const { clock, client, seen } = setup({ timeout: { attempt: 100, total: 1_000 }, retry: { backoff: { base: 0, cap: 0 }, budget: false } });
    const call = client.execute(hanging(seen));
    call.catch(() => {});
    await clock.advance(99);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(seen[0]!.signal.aborted).toBe(true);
    expect(seen[0]!.signal.reason).toBeInstanceOf(TimeoutError);
    expect((seen[0]!.signal.reason as TimeoutError).scope).toBe('attempt');
    expect(seen.map((s) => s.endpoint)).toEqual(['http://10.0.0.1:80', 'http://10.0.0.2:80']);
    await clock.advance(200);
    // Three attempts in all, each timed out, each elsewhere: the last attempt's TimeoutError.
    const err = await call.catch((e: unknown) => e);
    expect(seen.map((s) => s.endpoint)).toEqual(['http://10.0.0.1:80', 'http://10.0.0.2:80', 'http://10.0.0.3:80']);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).scope).toBe('attempt');
  });

  it('the total deadline cuts the running attempt short and rejects with scope total', async () => {
    const { clock, client, seen } = setup({ timeout: { attempt: 100, total: 250 }, retry: { backoff: { base: 0, cap: 0 }, budget: false, attempts: 5 } });
    const call = client.execute(hanging(seen));
    call.catch(() => {});
    await clock.advance(249);
    expect(seen).toHaveLength(3);
    expect(seen[2]!.signal.aborted).toBe(false);
    await clock.advance(1);
    const err = await call.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).scope).toBe('total');
    expect(seen[2]!.signal.aborted).toBe(true);
    expect(client.stats().calls).toMatchObject({ started: 1, failed: 1, inflight: 0 });
  });

  it('after an event-loop stall past the deadline, a backoff that ends late starts no attempt', async () => {
    const { clock, client } = setup({ timeout: { attempt: 1_000, total: 150 }, retry: { backoff: { base: 100, cap: 100 }, budget: false } });
    let calls = 0;
    const call = client.execute(async () => {
      calls++;
      throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    });
    call.catch(() => {});
    await settle();
    expect(calls).toBe(1);
    // The loop is blocked for 400 ms: the backoff timer comes due long after the deadline.
    clock.stall(400);
    await clock.advance(0);
    expect(calls).toBe(1);
    const err = await call.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).scope).toBe('total');
    // No timer with a negative delay was ever asked for.
    expect(clock.requested.every((ms) => ms >= 1)).toBe(true);
  });

  it.each([250, 5_000])('two calls timed out on one wake-up, the first one stalling 200 ms in its retry: the second is judged by the time it actually wakes (total %i ms)', async (total) => {
    const { clock, client } = setup({ timeout: { attempt: 100, total }, retry: { backoff: { base: 0, cap: 0 }, budget: false } });
    const started: { name: string; attempt: number; at: number }[] = [];
    const attempts: { attempt: number; latency: number }[] = [];
    client.on('attempt', (e) => attempts.push({ attempt: e.attempt, latency: e.latency }));
    const call = (name: string, stallOn: number): Promise<unknown> => client.execute((_e, { attempt, signal }) => {
      started.push({ name, attempt, at: clock.now() });
      if (attempt === stallOn) clock.stall(200);
      if (attempt === 1) return new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      return `${name} ok`;
    }).catch((e: unknown) => e);
    const a = call('A', 2);
    const b = call('B', 0);
    await clock.advance(100);
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra).toBe('A ok');
    // B's first attempt timed out at 100; A's retry then ran until 300. B is judged at 300,
    // not 100: with a 250 ms total deadline it starts no attempt; with 5 s its retry starts at
    // 300 and is not timed out at once with a latency it never had.
    const bRetry = started.find((s) => s.name === 'B' && s.attempt === 2);
    if (total === 250) {
      expect(bRetry).toBeUndefined();
      expect(rb).toBeInstanceOf(TimeoutError);
    } else {
      expect(bRetry?.at).toBe(300);
      expect(rb).toBe('B ok');
      // The retries' latencies are what they ran: A's 200 ms of synchronous work, B's nothing
      // (before, B's was measured from the stale 100 and came out as 200 too).
      expect(attempts.filter((x) => x.attempt === 2).map((x) => x.latency).sort((p, q) => p - q)).toEqual([0, 200]);
    }
  });

  it('a retry whose backoff would end after the deadline is not made', async () => {
    // Decorrelated jitter draws the first wait from about 1 % to 100 % of the base: 10 s keeps
    // every draw past this 60 ms deadline.
    const { clock, client } = setup({ timeout: { total: 60 }, retry: { backoff: { base: 10_000, cap: 10_000 }, budget: false } });
    let calls = 0;
    const call = client.execute(async () => {
      calls++;
      throw new Error('boom');
    });
    const err = await call.catch((e: unknown) => e);
    expect((err as Error).message).toBe('boom');
    expect(calls).toBe(1);
    expect(clock.pending).toBeLessThanOrEqual(1);
  });

  it('a caller abort during the backoff sleep rejects at once with the reason; nothing starts after', async () => {
    const { clock, client } = setup({ retry: { backoff: { base: 100, cap: 100 }, budget: false } });
    const controller = new AbortController();
    let calls = 0;
    const call = client.execute(async () => { calls++; throw new Error('boom'); }, { signal: controller.signal });
    call.catch(() => {});
    await settle();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    await clock.advance(1_000);
    expect(calls).toBe(1);
  });

  it('close() during the backoff sleep rejects with ClientClosedError and leaves no call in the wheel', async () => {
    const { clock, client } = setup({ retry: { backoff: { base: 100, cap: 100 }, budget: false } });
    let calls = 0;
    const call = client.execute(async () => { calls++; throw new Error('boom'); });
    call.catch(() => {});
    await settle();
    await client.close();
    await expect(call).rejects.toBeInstanceOf(ClientClosedError);
    await clock.advance(1_000);
    expect(calls).toBe(1);
    expect(client.stats().calls.inflight).toBe(0);
  });

  it('a synchronous value and a synchronous throw are outcomes like any other', async () => {
    const { client } = setup({ retry: { backoff: { base: 0, cap: 0 }, budget: false } });
    await expect(client.execute(() => 7)).resolves.toBe(7);
    let n = 0;
    await expect(client.execute(() => { if (n++ === 0) throw new Error('once'); return 'second'; })).resolves.toBe('second');
    expect(client.stats()).toMatchObject({ attempts: 3, retries: 1, calls: { succeeded: 2 } });
  });

  it("fn's context carries the attempt number and a signal, and nothing of the pipeline", async () => {
    const { client } = setup();
    const seen = await client.execute((_e, ctx) => ({ keys: Object.keys(ctx), json: JSON.stringify(ctx), signal: ctx.signal, attempt: ctx.attempt }));
    expect(seen.keys).toEqual(['attempt']);
    expect(seen.json).toBe('{"attempt":1}');
    expect(seen.attempt).toBe(1);
    // A signal read during an attempt that succeeded is never aborted (no abort() on success).
    expect(seen.signal.aborted).toBe(false);
  });

  it('classify sees attempt timeouts', async () => {
    const { clock, client, seen } = setup({ timeout: { attempt: 50, total: 1_000 }, retry: { backoff: { base: 0, cap: 0 }, budget: false } });
    const outcomes: unknown[] = [];
    const call = client.execute(hanging(seen), { classify: (o) => { outcomes.push(o.ok ? 'value' : o.error); return 'failure'; } });
    call.catch(() => {});
    await clock.advance(50);
    const err = await call.catch((e: unknown) => e);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toBeInstanceOf(TimeoutError);
    expect(err).toBe(outcomes[0]);
    expect(seen).toHaveLength(1);
  });

  it('a deferred answer that arrives after its attempt timed out is not used', async () => {
    const { clock, client } = setup({ timeout: { attempt: 50, total: 1_000 }, retry: { backoff: { base: 0, cap: 0 }, budget: false } });
    const answers = [deferred<string>(), deferred<string>()];
    let i = 0;
    const call = client.execute(() => answers[i++]!.promise);
    await clock.advance(50);
    answers[0]!.resolve('late');
    answers[1]!.resolve('on time');
    await expect(call).resolves.toBe('on time');
  });
});
