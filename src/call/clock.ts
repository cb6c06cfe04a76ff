import { performance } from 'node:perf_hooks';

/**
 * The time source of a client: a monotonic clock in milliseconds and one-shot timers. The
 * default is `performance.now()` and Node's timers; tests pass a fake one to drive deadlines,
 * backoff and hedging without waiting (as cockatiel's tests do with fake timers).
 *
 * @example
 * // A clock that a test moves by hand (see test/helpers/fake-clock.ts for a full one).
 * const clock: Clock = { now: () => t, setTimer: (fn, ms) => schedule(fn, t + ms) };
 */
export interface Clock {
  /** Milliseconds on a monotonic scale (any origin). */
  now(): number;
  /** Calls `fn` once, no earlier than `ms` from now. */
  setTimer(fn: () => void, ms: number): Timer;
}

/** A pending one-shot timer. */
export interface Timer {
  clear(): void;
  /** Keep the process alive while the timer is pending (a caller awaits something it ends). */
  ref(): void;
  /** Let the process exit although the timer is pending. */
  unref(): void;
}

// The module binding, not the global: `globalThis.performance` is a lazy accessor, and its
// lookup on every read showed in profiles of the hot path.
const perf = performance;

/** `performance.now()` and Node's timers. */
export const systemClock: Clock = {
  now: () => perf.now(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, ms);
    return { clear: () => clearTimeout(t), ref: () => { t.ref(); }, unref: () => { t.unref(); } };
  },
};

/**
 * Whether `promise` settles within `ms` on `clock` (its rejection counts as settled; otherwise
 * it is left to settle on its own). The timer keeps the process alive while it waits unless
 * `keepAlive` is false, and is cleared either way.
 *
 * @example
 * if (!(await settlesWithin(clock, stop(), 10_000))) report('stop hung');
 */
export async function settlesWithin(clock: Clock, promise: Promise<unknown>, ms: number, keepAlive = true): Promise<boolean> {
  let timer: Timer | undefined;
  const late = new Promise<false>((resolve) => {
    timer = clock.setTimer(() => resolve(false), ms);
    if (!keepAlive) timer.unref();
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), late]);
  } finally {
    timer!.clear();
  }
}
