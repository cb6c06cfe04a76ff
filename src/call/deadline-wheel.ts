import type { Clock, Timer } from './clock.js';

/** Something the wheel wakes at `wakeAt`: in practice a call, which then checks what is due. */
export interface WheelEntry {
  /** When to wake, on the client's clock; `Infinity` while not in the wheel. */
  wakeAt: number;
  /** Position in the wheel's heap, -1 when not in it. Owned by the wheel. */
  heapIndex: number;
  /** Called once `now >= wakeAt`; the entry is out of the wheel by then and may add itself again. */
  wake(now: number): void;
}

/**
 * One timer for all of a client's deadlines (docs/architecture.md, "Deadlines"). Active calls
 * sit in a min-heap keyed by the next time each must wake; a single timer is armed for the
 * earliest, so a call costs two heap operations instead of a setTimeout/clearTimeout pair per
 * attempt (≈ 330 ns here). It doubles as the set of active calls, which `close()` walks.
 *
 * Fires late, never early: an entry is woken only once the clock has reached its time, and a
 * timer that went off early re-arms. The timer keeps the process alive only while some call
 * is active: a caller awaits it then, and nothing else (a backoff sleep holds no socket) would.
 */
export class DeadlineWheel {
  readonly #heap: WheelEntry[] = [];
  readonly #clock: Clock;
  #timer: Timer | undefined;
  /** When the armed timer goes off; Infinity when none is armed. */
  #armedAt = Infinity;
  #referenced = false;
  #idleCheck = false;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Active entries. */
  get size(): number {
    return this.#heap.length;
  }

  /** A copy of the active entries, in no particular order. */
  entries(): WheelEntry[] {
    return this.#heap.slice();
  }

  /** Puts `entry` in the wheel, or moves it when its `wakeAt` changed. */
  schedule(entry: WheelEntry): void {
    const heap = this.#heap;
    if (entry.heapIndex < 0) {
      entry.heapIndex = heap.length;
      heap.push(entry);
      this.#up(entry.heapIndex);
    } else {
      this.#down(this.#up(entry.heapIndex));
    }
    if (!this.#referenced) {
      this.#referenced = true;
      this.#timer?.ref();
    }
    if (heap[0]!.wakeAt < this.#armedAt) this.#arm(heap[0]!.wakeAt);
  }

  /** Takes `entry` out of the wheel (no-op when it is not in it). */
  remove(entry: WheelEntry): void {
    const i = entry.heapIndex;
    if (i < 0) return;
    const heap = this.#heap;
    const last = heap.pop()!;
    entry.heapIndex = -1;
    entry.wakeAt = Infinity;
    if (last !== entry) {
      heap[i] = last;
      last.heapIndex = i;
      this.#down(this.#up(i));
    }
    if (heap.length === 0 && this.#referenced && !this.#idleCheck) {
      // Leave the timer armed (the next call likely wants a later one anyway) but let the process
      // exit once nothing is active. Checked after the current burst of work rather than now:
      // a caller awaiting calls one after another would otherwise toggle the timer's ref (a
      // native call) twice per call.
      this.#idleCheck = true;
      setImmediate(this.#unrefIfIdle).unref();
    }
  }

  readonly #unrefIfIdle = (): void => {
    this.#idleCheck = false;
    if (this.#heap.length === 0 && this.#referenced) {
      this.#referenced = false;
      this.#timer?.unref();
    }
  };

  #arm(at: number): void {
    this.#timer?.clear();
    this.#armedAt = at;
    // Whole milliseconds, rounded up: Node's timers count whole ms and may fire a fraction early.
    const ms = Math.max(1, Math.ceil(at - this.#clock.now()));
    this.#timer = this.#clock.setTimer(this.#fire, ms);
    if (!this.#referenced) this.#timer.unref();
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    const heap = this.#heap;
    const now = this.#clock.now();
    while (heap.length > 0 && heap[0]!.wakeAt <= now) {
      const entry = heap[0]!;
      this.remove(entry);
      entry.wake(now);
    }
    if (heap.length > 0 && heap[0]!.wakeAt < this.#armedAt) this.#arm(heap[0]!.wakeAt);
  };

  #up(i: number): number {
    const heap = this.#heap;
    const entry = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (p.wakeAt <= entry.wakeAt) break;
      heap[i] = p;
      p.heapIndex = i;
      i = parent;
    }
    heap[i] = entry;
    entry.heapIndex = i;
    return i;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const entry = heap[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && heap[child + 1]!.wakeAt < heap[child]!.wakeAt) child++;
      const c = heap[child]!;
      if (c.wakeAt >= entry.wakeAt) break;
      heap[i] = c;
      c.heapIndex = i;
      i = child;
    }
    heap[i] = entry;
    entry.heapIndex = i;
  }
}
