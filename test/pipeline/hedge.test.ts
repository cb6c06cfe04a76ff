import { afterEach, describe, expect, it } from 'vitest';
import { createClient, PluginError, roundRobin, type AttemptEvent, type Client, type ClientOptions, type EndpointState, type HedgeEvent, type PickRequest } from '../../src/index.js';
import { deferred, FakeClock, settle } from '../helpers/fake-clock.js';

// Hedging with a fake transport and an injected clock.

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

function setup(options: Partial<ClientOptions> = {}): { clock: FakeClock; client: Client; attempts: AttemptEvent[]; hedges: HedgeEvent[] } {
  const clock = new FakeClock();
  const client = createClient({
    name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], picker: roundRobin({ random: () => 0 }),
    clock, hedge: { delay: 50, maxExtraLoad: 1 }, retry: { backoff: { base: 0, cap: 0 }, budget: false }, ...options,
  });
  clients.push(client);
  const attempts: AttemptEvent[] = [];
  const hedges: HedgeEvent[] = [];
  client.on('attempt', (e) => attempts.push(e));
  client.on('hedge', (e) => hedges.push(e));
  return { clock, client, attempts, hedges };
}

/** Per attempt number, a deferred answer and the signal the attempt got. */
function scripted(): { fn: (e: unknown, c: { attempt: number; signal: AbortSignal }) => Promise<string>; answers: Map<number, ReturnType<typeof deferred<string>>>; signals: Map<number, AbortSignal> } {
  const answers = new Map<number, ReturnType<typeof deferred<string>>>();
  const signals = new Map<number, AbortSignal>();
  return {
    answers, signals,
    fn: (_e, c) => {
      const d = deferred<string>();
      answers.set(c.attempt, d);
      signals.set(c.attempt, c.signal);
      return d.promise;
    },
  };
}

describe('hedging (fake clock)', () => {
  it('sends one hedge to another endpoint after the delay; the first answer wins and the loser is aborted', async () => {
    const { clock, client, attempts, hedges } = setup();
    const s = scripted();
    const call = client.execute(s.fn);
    await clock.advance(49);
    expect(s.answers.size).toBe(1);
    await clock.advance(1);
    expect(s.answers.size).toBe(2);
    expect(hedges).toEqual([expect.objectContaining({ attempt: 2, after: 50 })]);
    expect(hedges[0]!.endpoint.id).toBe('http://10.0.0.2:80');
    s.answers.get(2)!.resolve('hedge');
    await expect(call).resolves.toBe('hedge');
    expect(s.signals.get(1)!.aborted).toBe(true);
    expect(s.signals.get(2)!.aborted).toBe(false);
    expect(attempts.map((a) => [a.attempt, a.verdict, a.hedge])).toEqual([[2, 'success', true], [1, 'cancelled', false]]);
    expect(client.stats()).toMatchObject({ attempts: 2, hedges: { sent: 1, won: 1 }, calls: { succeeded: 1 } });
    // Only one hedge per round, however long the winner takes.
    await clock.advance(1_000);
    expect(s.answers.size).toBe(2);
  });

  it('no hedge when the first attempt answers before the delay', async () => {
    const { clock, client, hedges } = setup();
    const s = scripted();
    const call = client.execute(s.fn);
    await clock.advance(10);
    s.answers.get(1)!.resolve('first');
    await expect(call).resolves.toBe('first');
    await clock.advance(500);
    expect(hedges).toHaveLength(0);
    expect(client.stats().hedges).toEqual({ sent: 0, won: 0 });
  });

  it('a failure while the other attempt runs waits for it; if that one succeeds the call succeeds', async () => {
    const { clock, client } = setup();
    const s = scripted();
    const call = client.execute(s.fn);
    await clock.advance(50);
    s.answers.get(1)!.reject(new Error('first failed'));
    await settle();
    expect(s.answers.size).toBe(2);
    s.answers.get(2)!.resolve('second');
    await expect(call).resolves.toBe('second');
    expect(client.stats().attempts).toBe(2);
  });

  it('hedges and retries share the attempt limit', async () => {
    const { clock, client } = setup({ retry: { attempts: 2, backoff: { base: 0, cap: 0 }, budget: false } });
    const s = scripted();
    const call = client.execute(s.fn);
    call.catch(() => {});
    await clock.advance(50);
    expect(s.answers.size).toBe(2);
    s.answers.get(1)!.reject(new Error('a'));
    s.answers.get(2)!.reject(new Error('b'));
    await expect(call).rejects.toThrow('b');
    expect(s.answers.size).toBe(2);
  });

  it('a non-idempotent call, a call with hedge: false and a one-endpoint client are never hedged', async () => {
    const { clock, client } = setup();
    const a = scripted();
    const b = scripted();
    const post = client.execute(a.fn, { idempotent: false });
    const off = client.execute(b.fn, { hedge: false });
    await clock.advance(200);
    expect([a.answers.size, b.answers.size]).toEqual([1, 1]);
    a.answers.get(1)!.resolve('x');
    b.answers.get(1)!.resolve('x');
    await Promise.all([post, off]);
    const single = setup({ discovery: ['10.0.0.9:80'] });
    const t = scripted();
    const call = single.client.execute(t.fn);
    await single.clock.advance(200);
    expect(t.answers.size).toBe(1);
    t.answers.get(1)!.resolve('only');
    await call;
    expect(single.client.stats().hedges.sent).toBe(0);
  });

  it('the hedge budget caps hedges at maxExtraLoad of calls', async () => {
    const { clock, client } = setup({ hedge: { delay: 10, maxExtraLoad: 0.1 } });
    const s = scripted();
    const calls: Promise<string>[] = [];
    for (let i = 0; i < 50; i++) {
      const call = client.execute((e, c) => s.fn(e, c));
      call.catch(() => {});
      calls.push(call);
    }
    await clock.advance(20);
    const sent = client.stats().hedges.sent;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThanOrEqual(5);
    await client.close();
    await Promise.allSettled(calls);
  });

  it('a percentile delay waits for enough samples, then follows recent latency', async () => {
    const { clock, client } = setup({ hedge: { delay: 'p50', maxExtraLoad: 1 } });
    // 19 calls of 100 ms: too few samples for a percentile, so none is hedged however slow.
    const answerAfter = async (ms: number): Promise<void> => {
      const s = scripted();
      const call = client.execute(s.fn);
      await clock.advance(ms);
      s.answers.get(1)?.resolve('ok');
      await call;
    };
    for (let i = 0; i < 19; i++) await answerAfter(100);
    // Then fast ones: p50 of the window is now 100 ms, so a 10 ms call is not hedged either.
    for (let i = 0; i < 11; i++) await answerAfter(10);
    expect(client.stats().hedges.sent).toBe(0);
    const s = scripted();
    const slow = client.execute(s.fn);
    await clock.advance(99);
    expect(s.answers.size).toBe(1);
    await clock.advance(1);
    expect(s.answers.size).toBe(2);
    s.answers.get(2)!.resolve('hedged');
    await expect(slow).resolves.toBe('hedged');
  });

  it('a value judged retry (a 503) beats a later failure without one: the call returns it, as without hedging', async () => {
    const classify = (o: { ok: boolean; value?: unknown }): 'retry' | undefined => (o.ok && o.value === 'busy' ? 'retry' : undefined);
    for (const order of ['value first', 'failure first'] as const) {
      const { clock, client } = setup({ retry: { attempts: 2, backoff: { base: 0, cap: 0 }, budget: false } });
      const s = scripted();
      const call = client.execute(s.fn, { classify });
      await clock.advance(50);
      expect(s.answers.size).toBe(2);
      if (order === 'value first') {
        s.answers.get(1)!.resolve('busy');
        await settle();
        s.answers.get(2)!.reject(new Error('socket hang up'));
      } else {
        s.answers.get(2)!.reject(new Error('socket hang up'));
        await settle();
        s.answers.get(1)!.resolve('busy');
      }
      await expect(call, order).resolves.toBe('busy');
    }
  });

  it('a plugin failure in the round is not hidden by a response kept from the other attempt: the call fails with it, nothing more is sent', async () => {
    const classify = (o: { ok: boolean; value?: unknown }): 'retry' | undefined => {
      if (o.ok && o.value === 'busy') return 'retry';
      if (!o.ok) throw new Error('classify bug');
      return undefined;
    };
    const { clock, client } = setup({ retry: { attempts: 3, backoff: { base: 0, cap: 0 }, budget: false } });
    const s = scripted();
    const call = client.execute(s.fn, { classify });
    call.catch(() => {});
    await clock.advance(50);
    s.answers.get(1)!.resolve('busy');
    await settle();
    s.answers.get(2)!.reject(new Error('socket hang up'));
    await expect(call).rejects.toBeInstanceOf(PluginError);
    expect(s.answers.size).toBe(2);
  });

  it("a picker that throws on the hedge's pick fails the call with PluginError and ends the running attempt", async () => {
    let list: readonly EndpointState[] = [];
    const picker = { name: 'flaky', update(l: readonly EndpointState[]) { list = l; }, pick(r: PickRequest) { if (r.tried.length > 0) throw new Error('picker bug'); return list[0]; } };
    const { clock, client, attempts } = setup({ picker });
    const s = scripted();
    const call = client.execute(s.fn);
    call.catch(() => {});
    await clock.advance(50);
    await expect(call).rejects.toBeInstanceOf(PluginError);
    expect(s.answers.size).toBe(1);
    expect(s.signals.get(1)!.aborted).toBe(true);
    expect(attempts.map((a) => [a.attempt, a.verdict])).toEqual([[1, 'cancelled']]);
    expect(client.stats().calls).toMatchObject({ started: 1, failed: 1, inflight: 0 });
  });

  it('a caller abort cancels every running attempt and rejects with the reason', async () => {
    const { clock, client, attempts } = setup();
    const s = scripted();
    const controller = new AbortController();
    const call = client.execute(s.fn, { signal: controller.signal });
    call.catch(() => {});
    await clock.advance(50);
    controller.abort('stop');
    await expect(call).rejects.toBe('stop');
    expect(s.signals.get(1)!.aborted && s.signals.get(2)!.aborted).toBe(true);
    expect(attempts.map((a) => a.verdict)).toEqual(['cancelled', 'cancelled']);
    const endpoints = client.stats().endpoints;
    expect(endpoints.reduce((n, e) => n + e.cancelled, 0)).toBe(2);
    expect(endpoints.reduce((n, e) => n + e.inflight, 0)).toBe(0);
  });
});

describe('hedging when no untried endpoint takes calls', () => {
  it('sends no hedge when the only other endpoint is ejected', async () => {
    const { clock, client } = setup({ discovery: ['10.0.0.1:80', '10.0.0.2:80'] });
    // Eject 10.0.0.2: five refused attempts in a row (each retried on 10.0.0.1).
    for (let i = 0; i < 10; i++) {
      await client.execute(async (e) => { if (e.host === '10.0.0.2') throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }); return e.host; });
    }
    expect(client.stats().endpoints[1]!.health!.status).toBe('ejected');
    const s = scripted();
    const call = client.execute(s.fn);
    await clock.advance(200);
    expect(s.answers.size).toBe(1);
    s.answers.get(1)!.resolve('only');
    await expect(call).resolves.toBe('only');
    expect(client.stats().hedges.sent).toBe(0);
  });
});

describe('a hedged round ends on an answer that is not retried', () => {
  it('returns a value judged a failure at once, cancelling the hedge and sending nothing more, as without hedging', async () => {
    const { clock, client, attempts } = setup();
    const { fn, answers, signals } = scripted();
    const call = client.execute(fn, { classify: (o) => (o.ok && o.value === 'server error' ? 'failure' : undefined) });
    await clock.advance(50); // the hedge goes
    expect(answers.size).toBe(2);
    answers.get(1)!.resolve('server error');
    await settle();
    expect(await call).toBe('server error');
    expect(signals.get(2)!.aborted).toBe(true);
    await clock.advance(1_000);
    expect(answers.size).toBe(2);
    expect(attempts.map((a) => a.verdict)).toEqual(['failure', 'cancelled']);
  });
});
