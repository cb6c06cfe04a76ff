// close() and deadlines against user code that runs in the middle of a call: event listeners,
// abort listeners and a picker's update may close the client, start calls, or take long.
// Nothing may start after close() or after a call's deadline (README, "close()", "Deadlines").
import { ConsecutiveBreaker } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { ClientClosedError, createClient, TimeoutError, type AttemptContext, type Discovery, type EndpointState, type Picker, type PickRequest } from '../../src/index.js';
import { FakeClock, never, outcome, settle, untilAborted } from '../helpers/fake-clock.js';

const TWO = ['10.0.0.1:80', '10.0.0.2:80'];

describe('close() reaches calls that user code is running for', () => {
  it("ends the call a timeout woke, when an 'attempt' listener closes the client", async () => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'users', discovery: TWO, clock, health: false,
      timeout: { attempt: 100, total: 1_000 }, retry: { attempts: 3, backoff: { base: 40, cap: 40 }, budget: false },
    });
    let closed = false;
    client.on('attempt', (e) => { if (e.reason === 'attempt timeout' && !closed) { closed = true; void client.close(); } });
    const sentAfterClose: number[] = [];
    const call = outcome(client.execute((_, { attempt, signal }) => {
      if (closed) sentAfterClose.push(attempt);
      return attempt === 1 ? untilAborted(signal) : 'answer';
    }));
    await clock.advance(300);
    expect(closed).toBe(true);
    expect(sentAfterClose).toEqual([]);
    expect(call.error).toBeInstanceOf(ClientClosedError);
  });

  it("sends no hedge and aborts the first attempt, when a 'hedge' listener closes the client", async () => {
    const clock = new FakeClock();
    const client = createClient({ name: 'search', discovery: TWO, clock, health: false, timeout: { attempt: 500, total: 1_000 }, hedge: { delay: 50, maxExtraLoad: 1 } });
    client.on('hedge', () => void client.close());
    const sent: number[] = [];
    const aborted: unknown[] = [];
    const call = outcome(client.execute((_, { attempt, signal }) => {
      sent.push(attempt);
      signal.addEventListener('abort', () => aborted.push(signal.reason));
      return never();
    }));
    await clock.advance(300);
    expect(sent).toEqual([1]);
    expect(aborted).toHaveLength(1);
    expect(aborted[0]).toBeInstanceOf(ClientClosedError);
    expect(call.error).toBeInstanceOf(ClientClosedError);
  });

  it('refuses a call made from an abort listener while close() ends the calls', async () => {
    const clock = new FakeClock();
    const client = createClient({ name: 'jobs', discovery: TWO, clock, health: false });
    let cleanup: ReturnType<typeof outcome> | undefined;
    let cleanupSent = 0;
    const job = outcome(client.execute((_, { signal }) => new Promise((_r, reject) => {
      signal.addEventListener('abort', () => {
        cleanup = outcome(client.execute(() => { cleanupSent++; return never(); }));
        reject(signal.reason);
      });
    })));
    await clock.advance(10);
    await client.close();
    await clock.advance(60_000);
    expect(job.error).toBeInstanceOf(ClientClosedError);
    expect(cleanup?.error).toBeInstanceOf(ClientClosedError);
    expect(cleanupSent).toBe(0);
  });

  it('stops discovery once when close() is called again from an abort listener, and both get one promise', async () => {
    const clock = new FakeClock();
    let stops = 0;
    const discovery: Discovery = { watch: (update) => { update(['10.0.0.1:80']); return () => { stops++; }; } };
    const client = createClient({ name: 'jobs', discovery, clock, health: false });
    let inner: Promise<void> | undefined;
    void client.execute((_, { signal }) => new Promise((_r, reject) => signal.addEventListener('abort', () => { inner = client.close(); reject(signal.reason); }))).catch(() => {});
    await clock.advance(1);
    const outer = client.close();
    await outer;
    expect(inner).toBe(outer);
    expect(stops).toBe(1);
  });

  it('leaves no timer armed after close()', async () => {
    const clock = new FakeClock();
    const client = createClient({ name: 'users', discovery: TWO, clock, health: false });
    void client.execute(() => never()).catch(() => {});
    await clock.advance(10);
    await client.close();
    expect(clock.pending).toBe(0);
  });
});

describe('deadlines after slow user code in the middle of a call', () => {
  it("sends no hedge past the deadline when a 'hedge' listener took long", async () => {
    const clock = new FakeClock();
    const client = createClient({ name: 'search', discovery: TWO, clock, health: false, timeout: { attempt: 1_000, total: 100 }, hedge: { delay: 50, maxExtraLoad: 1 } });
    client.on('hedge', () => clock.stall(80));
    const sentAt: number[] = [];
    const call = outcome(client.execute(() => { sentAt.push(clock.t); return never(); }));
    await clock.advance(200);
    expect(sentAt).toEqual([0]);
    expect(call.error).toBeInstanceOf(TimeoutError);
    expect((call.error as TimeoutError).scope).toBe('total');
    await client.close();
  });

  it("times a hedge from when it is sent, after a 'hedge' listener took long", async () => {
    const clock = new FakeClock();
    const client = createClient({ name: 'search', discovery: TWO, clock, health: false, timeout: { attempt: 100, total: 1_000 }, hedge: { delay: 50, maxExtraLoad: 1 } });
    client.on('hedge', () => clock.stall(80));
    const aborted: Record<number, number> = {};
    const call = outcome(client.execute((_, { attempt, signal }) => {
      signal.addEventListener('abort', () => { aborted[attempt] = clock.t; });
      return never();
    }));
    await clock.advance(1_000);
    // The hedge was sent at 130 (50 + the listener's 80 ms): it times out at 230, not at 150.
    expect(aborted[2]).toBe(230);
    expect(call.error).toBeInstanceOf(TimeoutError);
    await client.close();
  });

  it("starts no attempt past the deadline when re-admitting an endpoint took the picker's update long", async () => {
    const clock = new FakeClock();
    /** Round robin whose update takes 80 ms when the set grows (as with a very large set). */
    class SlowUpdatePicker implements Picker {
      readonly name = 'slow-update';
      #list: readonly EndpointState[] = [];
      #next = 0;
      update(endpoints: readonly EndpointState[]): void {
        if (this.#list.length > 0 && endpoints.length > this.#list.length) clock.stall(80);
        this.#list = endpoints;
      }
      pick(request: PickRequest): EndpointState | undefined {
        const untried = this.#list.filter((e) => !request.tried.includes(e));
        return untried[this.#next++ % Math.max(1, untried.length)] ?? this.#list[0];
      }
    }
    const client = createClient({
      name: 'users', discovery: TWO, clock, picker: new SlowUpdatePicker(), retry: false, timeout: { attempt: 50, total: 50 },
      health: { breaker: () => new ConsecutiveBreaker(1), ejectionTime: 10, maxEjectionPercent: 100, panicThreshold: 0 },
    });
    await client.execute(() => { throw new Error('boom'); }).catch(() => {});
    await clock.advance(20);
    const start = clock.t;
    const sentAt: number[] = [];
    const call = outcome(client.execute(() => { sentAt.push(clock.t); return 'sent'; }));
    await settle();
    expect(sentAt).toEqual([]);
    expect(call.error).toBeInstanceOf(TimeoutError);
    expect(clock.t).toBeGreaterThanOrEqual(start + 50);
    await client.close();
  });
});

describe('a caller abort and close() in the same instant', () => {
  it("gives the caller's reason to every call of the aborted signal, when a listener of it closes the client", async () => {
    const clock = new FakeClock();
    const client = createClient({ name: 'users', discovery: TWO, clock, health: false });
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const first = outcome(client.execute((_, { signal }) => new Promise((_r, reject) => signal.addEventListener('abort', () => { void client.close(); reject(signal.reason); })), { signal: controller.signal }));
    const second = outcome(client.execute(() => never(), { signal: controller.signal }));
    await clock.advance(5);
    controller.abort(reason);
    await settle();
    expect(first.error).toBe(reason);
    expect(second.error).toBe(reason);
  });
});

describe('attempt.signal read late', () => {
  it('is an AbortError, not a timeout, for an attempt that ended with its own answer', async () => {
    const clock = new FakeClock();
    const client = createClient({ name: 'users', discovery: TWO, clock, health: false });
    let context!: AttemptContext;
    await client.execute((_, c) => { context = c; return 'done'; });
    expect(context.signal.aborted).toBe(true);
    expect(context.signal.reason).toBeInstanceOf(DOMException);
    expect((context.signal.reason as DOMException).name).toBe('AbortError');
    await client.close();
  });

  it("carries why the attempt was cut short: the caller's reason", async () => {
    const clock = new FakeClock();
    const client = createClient({ name: 'users', discovery: TWO, clock, health: false });
    const controller = new AbortController();
    const reason = new Error('user navigated away');
    let late: unknown;
    let readSignal!: () => void;
    const call = outcome(client.execute((_, context) => {
      readSignal = () => { late = context.signal.reason; };
      return never();
    }, { signal: controller.signal }));
    await clock.advance(5);
    controller.abort(reason);
    await settle();
    readSignal();
    expect(call.error).toBe(reason);
    expect(late).toBe(reason);
    await client.close();
  });
});
