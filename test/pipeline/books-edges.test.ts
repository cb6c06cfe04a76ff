// Edges where what happened and what was counted or announced parted ways (README, "Events"
// and "stats()": events, counters and per-endpoint figures add up), each found by a fuzzer.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createClient, PluginError, type AttemptContext, type Classify, type Discovery, type EndpointState, type EndpointsEvent, type Picker, type PickRequest,
} from '../../src/index.js';
import { FakeClock, settle, untilAborted } from '../helpers/fake-clock.js';

const THREE = ['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'];
/** A breaker that opens on the first failure. */
const openAtOnce = (): { state: undefined; success(): void; failure(): boolean } => ({ state: undefined, success() {}, failure: () => true });

/** A discovery whose later updates the test pushes. */
function pushed(first: string[]): { discovery: Discovery; push: (entries: string[]) => void } {
  let push!: (entries: string[]) => void;
  return { discovery: { watch: (update) => { push = update; update(first); return () => {}; } }, push: (entries) => push(entries) };
}

/** The set a listener rebuilds from `added` and `removed`. */
function rebuilt(events: EndpointsEvent[]): string[] {
  const ids = new Set<string>();
  for (const e of events) {
    for (const a of e.added) ids.add(a.id);
    for (const r of e.removed) ids.delete(r.id);
  }
  return [...ids].sort();
}

describe('discovery events add up', () => {
  it('announces a change pushed while the first set is still deferred after it, not before', async () => {
    const { discovery, push } = pushed(['127.0.0.1:1', '127.0.0.1:2']);
    const client = createClient({ name: 'svc', discovery });
    const events: EndpointsEvent[] = [];
    client.on('endpoints', (e) => events.push(e));
    push(['127.0.0.1:1', '127.0.0.1:3']);
    await settle();
    expect(events.map((e) => e.added.map((a) => a.port))).toEqual([[1, 2], [3]]);
    expect(rebuilt(events)).toEqual(client.endpoints().map((e) => e.id).sort());
    await client.close();
  });

  it('applies and announces a set whose picker update threw, reporting the picker as a PluginError', async () => {
    let failNext = false;
    /** Hands out the first untried endpoint; its update can be made to throw once. */
    class Flaky implements Picker {
      readonly name = 'flaky';
      #list: readonly EndpointState[] = [];
      update(endpoints: readonly EndpointState[]): void {
        if (failNext) { failNext = false; throw new Error('update failed'); }
        this.#list = endpoints;
      }
      pick(request: PickRequest): EndpointState | undefined {
        return this.#list.find((e) => !request.tried.includes(e)) ?? this.#list[0];
      }
    }
    const { discovery, push } = pushed(['127.0.0.1:1', '127.0.0.1:2']);
    const client = createClient({ name: 'svc', picker: new Flaky(), health: false, discovery });
    const events: EndpointsEvent[] = [];
    const errors: unknown[] = [];
    client.on('endpoints', (e) => events.push(e));
    client.on('discoveryError', ({ error }) => errors.push(error));
    await settle();
    failNext = true;
    push(['127.0.0.1:3']);
    push(['127.0.0.1:3', '127.0.0.1:4']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(PluginError);
    expect((errors[0] as PluginError).plugin).toBe('picker');
    expect(client.endpoints().map((e) => e.port)).toEqual([3, 4]);
    expect(rebuilt(events)).toEqual(client.endpoints().map((e) => e.id).sort());
    await client.close();
  });
});

describe('a call counted as it ended', () => {
  it("throws an error classify judged a success, not an earlier value judged 'retry'", async () => {
    const client = createClient({ name: 'svc', discovery: THREE, health: false, retry: { attempts: 2, backoff: { base: 0, cap: 0 } } });
    const notFound = Object.assign(new Error('user 42 not found'), { code: 'NOT_FOUND' });
    const classify: Classify<{ busy: boolean }> = (o) => (o.ok ? (o.value.busy ? 'retry' : undefined) : (o.error as { code?: string }).code === 'NOT_FOUND' ? 'success' : undefined);
    const error = await client.execute(async (_, { attempt }) => {
      if (attempt === 1) return { busy: true };
      throw notFound;
    }, { classify }).catch((e: unknown) => e);
    expect(error).toBe(notFound);
    expect(client.stats().calls).toMatchObject({ succeeded: 1, failed: 0 });
    await client.close();
  });

  it('counts as cancelled, and releases the response of, a call a listener aborted as its attempt succeeded', async () => {
    let released = 0;
    const fetch = async (): Promise<Response> => new Response(new ReadableStream({ start(c) { c.enqueue(new Uint8Array([1])); }, cancel() { released++; } }), { status: 200 });
    const client = createClient({ name: 'svc', discovery: THREE, fetch });
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    client.on('attempt', (e) => { if (e.ok) controller.abort(reason); });
    await expect(client.fetch('/x', { signal: controller.signal })).rejects.toBe(reason);
    await settle();
    expect(client.stats().calls).toMatchObject({ succeeded: 0, failed: 1 });
    expect(released).toBe(1);
    await client.close();
  });

  afterEach(() => { vi.restoreAllMocks(); });

  /** A call whose first attempt fails after 50 ms, with the backoff's jitter fixed; what it sent and counted. */
  async function failOnceAt50(total: number): Promise<{ sent: number; retryDelays: number[]; retries: number; attempts: number; budgetSpent: number }> {
    vi.spyOn(Math, 'random').mockReturnValue(0.37);
    const clock = new FakeClock();
    const client = createClient({ name: 'svc', clock, discovery: THREE, health: false, timeout: { attempt: 1_000, total } });
    const retryDelays: number[] = [];
    client.on('retry', (e) => retryDelays.push(e.delay));
    const budget = client.stats().budgetRemaining!;
    let sent = 0;
    const call = client.execute(() => (++sent === 1 ? new Promise((_r, reject) => clock.setTimer(() => reject(new Error('boom')), 50)) : 'ok')).catch((e: unknown) => e);
    await clock.advance(total + 1_000);
    await call;
    const stats = client.stats();
    await client.close();
    return { sent, retryDelays, retries: stats.retries, attempts: stats.attempts, budgetSpent: budget - stats.budgetRemaining! };
  }

  it('does not count, announce or pay for a retry the deadline wheel would wake past the deadline', async () => {
    const dry = await failOnceAt50(10_000);
    expect(dry.sent).toBe(2);
    // The retry is due in the deadline's last millisecond: the wheel, counting whole ms, would wake it past the deadline.
    const late = await failOnceAt50(50 + dry.retryDelays[0]! + 0.5);
    expect(late).toEqual({ sent: 1, retryDelays: [], retries: 0, attempts: 1, budgetSpent: 0 });
  });
});

describe('probes and the hedge budget', () => {
  it('does not take an attempt started before an ejection for the probe', async () => {
    const clock = new FakeClock();
    /** Prefers :1 among the untried candidates. */
    class PreferOne implements Picker {
      readonly name = 'prefer-one';
      #list: readonly EndpointState[] = [];
      update(endpoints: readonly EndpointState[]): void { this.#list = endpoints; }
      pick(request: PickRequest): EndpointState | undefined {
        const free = this.#list.filter((e) => !request.tried.includes(e));
        return free.find((e) => e.port === 1) ?? free[0];
      }
    }
    const client = createClient({
      name: 'svc', clock, picker: new PreferOne(), retry: false, discovery: THREE, timeout: { attempt: 60_000, total: 60_000 },
      health: { breaker: openAtOnce, ejectionTime: 1_000, probes: 1 },
    });
    const onOne: string[] = [];
    const track = (name: string) => (endpoint: { port: number }, context: AttemptContext): Promise<never> => {
      if (endpoint.port === 1) onOne.push(name);
      return untilAborted(context.signal);
    };
    const old = new AbortController();
    void client.execute(track('old'), { signal: old.signal }).catch(() => {});
    await client.execute(() => { throw new Error('boom'); }).catch(() => {});
    await clock.advance(1_000);
    void client.execute(track('probe 1')).catch(() => {});
    await settle();
    old.abort(new Error('gave up'));
    await settle();
    void client.execute(track('probe 2')).catch(() => {});
    await settle();
    expect(onOne).toEqual(['old', 'probe 1']);
    expect(client.stats().endpoints.find((e) => e.id === 'http://127.0.0.1:1')).toMatchObject({ inflight: 1, health: { status: 'probing' } });
    await client.close();
  });

  it('gives back the hedge token of a hedge that found no untried endpoint to go to', async () => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'svc', clock, discovery: ['127.0.0.1:1', '127.0.0.1:2'], hedge: { delay: 10, maxExtraLoad: 0.05 },
      health: { breaker: openAtOnce, ejectionTime: 2_000 },
    });
    await settle();
    let failedOnce = false;
    // 20 calls; :2 fails the first time and is ejected, its call retried on :1.
    for (let i = 0; i < 20; i++) {
      const call = client.execute((e) => { if (e.port === 2 && !failedOnce) { failedOnce = true; throw new Error('down'); } return 1; });
      await clock.advance(50);
      await call;
    }
    const slow = (): Promise<number> => new Promise((resolve) => clock.setTimer(() => resolve(1), 50));
    // While :2 is ejected a slow call wants a hedge but has nowhere to send it ...
    const a = client.execute(slow);
    await clock.advance(100);
    await a;
    await clock.advance(2_000);
    // ... so the budget still allows the one hedge of 22 calls to the next slow call, once :2 is back.
    const b = client.execute(slow);
    await clock.advance(100);
    await b;
    expect(client.stats().hedges.sent).toBe(1);
    await client.close();
  });
});
