import type { Clock, Timer } from '../../src/call/clock.js';

interface Pending {
  at: number;
  fn: () => void;
  cleared: boolean;
  seq: number;
}

/**
 * A clock the test moves by hand, for the client's `clock` option: `advance(ms)` fires due
 * timers in time order and lets promise callbacks run between them, as cockatiel's tests do
 * with fake timers. `stall(ms)` jumps without firing anything, like a blocked event loop;
 * the timers that came due fire late on the next `advance`.
 */
export class FakeClock implements Clock {
  t = 0;
  #timers: Pending[] = [];
  #seq = 0;
  /** Every timer ever set, with the delay asked for. */
  readonly requested: number[] = [];

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): Timer {
    const timer: Pending = { at: this.t + ms, fn, cleared: false, seq: this.#seq++ };
    this.requested.push(ms);
    this.#timers.push(timer);
    return { clear: () => { timer.cleared = true; }, ref: () => {}, unref: () => {} };
  }

  /** Timers set and neither fired nor cleared. */
  get pending(): number {
    return this.#timers.filter((t) => !t.cleared).length;
  }

  /** Moves time forward by `ms`, firing each timer when its time comes. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const next = this.#timers.filter((t) => !t.cleared && t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (next === undefined) break;
      this.#timers.splice(this.#timers.indexOf(next), 1);
      if (next.at > this.t) this.t = next.at;
      next.fn();
    }
    // A stall() during the advance may have moved the clock past `end`: time never goes back.
    this.t = Math.max(this.t, end);
    await settle();
  }

  /** Jumps `ms` ahead without firing anything: an event-loop stall. */
  stall(ms: number): void {
    this.t += ms;
  }
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** A promise with its resolve and reject, for a fake transport. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

/** A fake transport's attempt that never answers but rejects with its signal's reason once aborted. */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
}

/** A fake transport's attempt that never answers (and ignores its signal). */
export const never = (): Promise<never> => new Promise<never>(() => {});

/** What a call's promise settled with, once it has: read it after moving the fake clock. */
export function outcome(p: Promise<unknown>): { value?: unknown; error?: unknown; settled: boolean } {
  const o: { value?: unknown; error?: unknown; settled: boolean } = { settled: false };
  p.then((value) => { o.value = value; o.settled = true; }, (error: unknown) => { o.error = error; o.settled = true; });
  return o;
}
