import type { Clock, Timer } from './clock.js';
import { heapPush, heapRemove, reheap, type HeapEntry } from './wake-heap.js';

/** Something the wheel wakes at `wakeAt`: in practice a call, which then checks what is due. */
export interface WheelEntry extends HeapEntry {
  /** When to wake, on the client's clock; `Infinity` while not in the wheel. */
  wakeAt: number;
  /** Position in the wheel's heap, -1 when not in it. Owned by the wheel. */
  heapIndex: number;
  /** Position in the wheel's queue, -1 when not in it. Owned by the wheel. */
  queueIndex: number;
  /** Called once `now >= wakeAt`; the entry is out of the wheel by then and may add itself again. */
  wake(now: number): void;
  /** The clock failed (see {@link DeadlineWheel}): the entry can no longer be timed, and must end. */
  clockFailed?(error: unknown): void;
}

/** Compact the queue when it holds more than this many slots and fewer than half are live. */
const COMPACT_AT = 1024;

/**
 * One timer for all of a client's deadlines (docs/architecture.md, "Deadlines"). Active calls
 * wait in a FIFO queue while their wake times arrive in order (calls with the same timeout,
 * started one after another: the usual case, O(1) in and out) and in a min-heap otherwise; a
 * single timer is armed for the earliest of both. A call costs a push and, when it ends, a
 * slot cleared, instead of a setTimeout/clearTimeout pair per attempt (≈ 330 ns here). The
 * wheel doubles as the set of active calls, which `close()` walks: the entry it is waking
 * included, which is out of the heap and queue until it schedules itself again.
 *
 * Fires late, never early: an entry is woken only once the clock has reached its time, and a
 * timer that went off early re-arms. The timer keeps the process alive only while some call
 * is active: a caller awaits it then, and nothing else (a backoff sleep holds no socket) would.
 *
 * A clock of the user's (the `clock` option) that throws, or whose `setTimer` returns no Timer,
 * leaves no timer armed for the calls waiting: every one of them is told (`clockFailed`) and
 * ends, rather than waiting for ever; the wheel itself never throws, and arms again for the next.
 */
export class DeadlineWheel {
  readonly #heap: WheelEntry[] = [];
  /** Entries in wake order; cleared slots are `undefined` until the head passes them. */
  readonly #queue: (WheelEntry | undefined)[] = [];
  #head = 0;
  /** One past the last used slot; the array keeps its capacity when the queue empties. */
  #tail = 0;
  #queued = 0;
  /** The wake time last pushed onto the queue: later pushes must not be earlier. */
  #tailAt = -Infinity;
  readonly #clock: Clock;
  #timer: Timer | undefined;
  /** When the armed timer goes off; Infinity when none is armed. */
  #armedAt = Infinity;
  #referenced = false;
  #idleCheck = false;
  /** The entry being woken: out of the heap and queue, but still active. */
  #waking: WheelEntry | undefined;
  /** Set by `close`: no timer is armed again. */
  #closed = false;
  /** While the clock's setTimer runs, and whether it called back before it returned. */
  #arming = false;
  #firedEarly = false;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Active entries. */
  get size(): number {
    return this.#heap.length + this.#queued;
  }

  /** A copy of the active entries (the one being woken included), in no particular order. */
  entries(): WheelEntry[] {
    const all = this.#heap.slice();
    const waking = this.#waking;
    if (waking !== undefined && waking.heapIndex < 0 && waking.queueIndex < 0) all.push(waking);
    for (let i = this.#head; i < this.#tail; i++) {
      const e = this.#queue[i];
      if (e !== undefined) all.push(e);
    }
    return all;
  }

  /** Puts `entry` in the wheel, or moves it when its `wakeAt` changed. */
  schedule(entry: WheelEntry): void {
    // The usual case, a call entering the wheel in wake order with the timer already armed
    // earlier, is kept small enough for V8 to inline into the call's start; the rest is apart.
    if (entry.heapIndex < 0 && entry.queueIndex < 0 && entry.wakeAt >= this.#tailAt) {
      this.#enqueue(entry);
    } else {
      this.#place(entry);
    }
    if (!this.#referenced || entry.wakeAt < this.#armedAt) this.#armFor(entry);
  }

  /** Puts `entry` where it belongs when it is already in the wheel, or is due before the queue's last. */
  #place(entry: WheelEntry): void {
    if (entry.heapIndex >= 0) {
      reheap(this.#heap, entry.heapIndex);
      return;
    }
    if (entry.queueIndex >= 0) this.#unqueue(entry);
    if (entry.wakeAt >= this.#tailAt) {
      this.#enqueue(entry);
    } else {
      heapPush(this.#heap, entry);
    }
  }

  /** Keeps the process alive while entries wait, and arms the timer for `entry` when it is due first. */
  #armFor(entry: WheelEntry): void {
    if (!this.#referenced) {
      this.#referenced = true;
      this.#guarded(() => this.#timer?.ref());
    }
    if (entry.wakeAt < this.#armedAt) this.#guarded(() => this.#arm(this.#earliest()));
  }

  /** Adds `entry` at the queue's tail: it is due no earlier than the last one there. */
  #enqueue(entry: WheelEntry): void {
    entry.queueIndex = this.#tail;
    this.#queue[this.#tail++] = entry;
    this.#queued++;
    this.#tailAt = entry.wakeAt;
  }

  /** Takes `entry` out of the wheel (no-op when it is not in it). */
  remove(entry: WheelEntry): void {
    if (entry.queueIndex >= 0) this.#unqueue(entry);
    else if (entry.heapIndex >= 0) heapRemove(this.#heap, entry);
    else return;
    entry.wakeAt = Infinity;
    if (this.size === 0 && this.#referenced && !this.#idleCheck) {
      // Leave the timer armed (the next call likely wants a later one anyway) but let the process
      // exit once nothing is active. Checked after the current burst of work rather than now:
      // a caller awaiting calls one after another would otherwise toggle the timer's ref (a
      // native call) twice per call.
      this.#idleCheck = true;
      setImmediate(this.#unrefIfIdle).unref();
    }
  }

  /** Clears the timer for good (the client closed): entries may still leave, none wakes again. */
  close(): void {
    this.#closed = true;
    this.#guarded(() => this.#arm(Infinity));
  }

  readonly #unrefIfIdle = (): void => {
    this.#idleCheck = false;
    if (this.size === 0 && this.#referenced) {
      this.#referenced = false;
      this.#guarded(() => this.#timer?.unref());
    }
  };

  /** Runs `use` of the clock (its timers included); if it throws, see {@link #clockFailed}. */
  #guarded(use: () => void): void {
    try {
      use();
    } catch (err) {
      this.#clockFailed(err);
    }
  }

  /** The clock threw: no timer is armed, and every entry waiting is told (none could be woken). */
  #clockFailed(error: unknown): void {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    for (const entry of this.entries()) {
      try {
        entry.clockFailed?.(error);
      } catch {
        // Its own end read the clock again, which threw again: the others are told all the same.
      }
    }
  }

  #unqueue(entry: WheelEntry): void {
    const queue = this.#queue;
    queue[entry.queueIndex] = undefined;
    entry.queueIndex = -1;
    // The usual case, the last call in the queue ending: start again from slot 0, keeping the
    // array's capacity (no allocation per call). Kept small enough for V8 to inline.
    if (--this.#queued === 0) {
      this.#head = 0;
      this.#tail = 0;
      this.#tailAt = -Infinity;
    } else {
      this.#advance();
    }
  }

  /** Moves the head past cleared slots, and compacts a queue mostly made of them. */
  #advance(): void {
    const queue = this.#queue;
    const tail = this.#tail;
    let head = this.#head;
    // Some entry is still queued (`#queued` > 0), so the head stops before the tail.
    while (queue[head] === undefined) head++;
    if (tail - head > COMPACT_AT && this.#queued * 2 < tail - head) {
      // A long-running call holds the head while many later ones finished: drop their slots.
      let n = 0;
      for (let i = head; i < tail; i++) {
        const e = queue[i];
        queue[i] = undefined;
        if (e !== undefined) {
          e.queueIndex = n;
          queue[n++] = e;
        }
      }
      this.#tail = n;
      head = 0;
    }
    this.#head = head;
  }

  /** The entry due first, or undefined when the wheel is empty. */
  #first(): WheelEntry | undefined {
    const top = this.#heap[0];
    const head = this.#queued > 0 ? this.#queue[this.#head] : undefined;
    if (top === undefined) return head;
    if (head === undefined) return top;
    return head.wakeAt <= top.wakeAt ? head : top;
  }

  #earliest(): number {
    return this.#first()?.wakeAt ?? Infinity;
  }

  /** Arms the one timer for `at` (none for Infinity). Only a timer made is counted as armed: one the clock failed to make is asked for again by the next schedule. */
  #arm(at: number): void {
    const old = this.#timer;
    this.#timer = undefined;
    this.#armedAt = Infinity;
    old?.clear();
    if (at === Infinity || this.#closed) return;
    // Whole milliseconds, rounded up: Node's timers count whole ms and may fire a fraction early.
    const ms = Math.max(1, Math.ceil(at - this.#clock.now()));
    this.#arming = true;
    this.#firedEarly = false;
    let timer: Partial<Timer> | null | undefined;
    try {
      timer = this.#clock.setTimer(this.#fire, ms) as Partial<Timer> | null | undefined;
    } finally {
      this.#arming = false;
    }
    // A timer called before setTimer returned would wake nothing (nothing is due yet) and arm
    // again, again calling back at once: the clock cannot time anything.
    if (this.#firedEarly) {
      this.#firedEarly = false;
      throw new TypeError('clock.setTimer called its function before it returned; it must call it no earlier than ms later');
    }
    if (typeof timer?.clear !== 'function' || typeof timer.ref !== 'function' || typeof timer.unref !== 'function') {
      throw new TypeError(`clock.setTimer must return a Timer ({ clear(), ref(), unref() }), got ${timer === null ? 'null' : typeof timer === 'object' ? 'an object without them' : typeof timer}`);
    }
    this.#timer = timer as Timer;
    this.#armedAt = at;
    if (!this.#referenced) timer.unref();
  }

  readonly #fire = (): void => {
    if (this.#arming) {
      this.#firedEarly = true;
      return;
    }
    this.#timer = undefined;
    this.#armedAt = Infinity;
    // A fresh reading per entry: waking one call may take long (an attempt's synchronous work,
    // an abort listener), and the next must be judged by when it actually wakes.
    let now = this.#read();
    for (let entry = this.#first(); now !== undefined && entry !== undefined && entry.wakeAt <= now; entry = this.#first()) {
      this.remove(entry);
      this.#waking = entry;
      try {
        entry.wake(now);
      } finally {
        this.#waking = undefined;
      }
      now = this.#read();
    }
    if (now === undefined) return;
    const next = this.#earliest();
    if (next < this.#armedAt) this.#guarded(() => this.#arm(next));
  };

  /** The clock's time, or undefined when reading it threw (every entry waiting is then told). */
  #read(): number | undefined {
    try {
      return this.#clock.now();
    } catch (err) {
      this.#clockFailed(err);
      return undefined;
    }
  }
}
