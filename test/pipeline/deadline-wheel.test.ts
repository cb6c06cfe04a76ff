import { describe, expect, it } from 'vitest';
import type { Clock, Timer } from '../../src/call/clock.js';
import { DeadlineWheel, type WheelEntry } from '../../src/call/deadline-wheel.js';
import { mulberry32 } from '../helpers/prng.js';

/** A clock whose timers fire up to `early` ms before they are due, as Node's may by a fraction. */
class EarlyClock implements Clock {
  t = 0;
  timers: { at: number; fn: () => void; cleared: boolean }[] = [];
  refs = 0;
  constructor(readonly early: number) {}
  now(): number { return this.t; }
  setTimer(fn: () => void, ms: number): Timer {
    const timer = { at: this.t + ms - this.early, fn, cleared: false };
    this.timers.push(timer);
    return { clear: () => { timer.cleared = true; }, ref: () => { this.refs++; }, unref: () => { this.refs--; } };
  }
  /** Fires every timer due by `until`, in order. */
  run(until: number): void {
    for (;;) {
      const next = this.timers.filter((x) => !x.cleared && x.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      next.cleared = true;
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = until;
  }
}

function entry(wakeAt: number, woken: [number, number][]): WheelEntry {
  const e: WheelEntry = { wakeAt, heapIndex: -1, queueIndex: -1, wake: (now) => { woken.push([wakeAt, now]); } };
  return e;
}

describe('DeadlineWheel', () => {
  it('wakes every entry once, in time order, never before its time, even when timers fire early', () => {
    const clock = new EarlyClock(0.7);
    const wheel = new DeadlineWheel(clock);
    const woken: [number, number][] = [];
    const random = mulberry32(7);
    const entries = Array.from({ length: 200 }, () => entry(Math.round(random() * 5_000) / 10, woken));
    for (const e of entries) wheel.schedule(e);
    // Take a third out again, as calls that finish do.
    const removed = new Set(entries.filter((_, i) => i % 3 === 0));
    for (const e of removed) wheel.remove(e);
    clock.run(1_000);
    expect(woken).toHaveLength(entries.length - removed.size);
    for (const [due, at] of woken) expect(at).toBeGreaterThanOrEqual(due);
    const order = woken.map(([due]) => due);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(wheel.size).toBe(0);
  });

  it('a long-running entry at the head does not keep finished ones: the queue compacts, order holds', () => {
    const clock = new EarlyClock(0.3);
    const wheel = new DeadlineWheel(clock);
    const woken: [number, number][] = [];
    const slow = entry(10, woken);
    wheel.schedule(slow);
    const rest = Array.from({ length: 5_000 }, (_, i) => entry(10 + i / 100, woken));
    for (const e of rest) wheel.schedule(e);
    // Everything but the slow one and every 1000th finishes early, out of order with the head.
    const kept = rest.filter((_, i) => i % 1_000 === 999);
    for (const e of rest) if (!kept.includes(e)) wheel.remove(e);
    expect(wheel.size).toBe(1 + kept.length);
    expect(new Set(wheel.entries())).toEqual(new Set([slow, ...kept]));
    // An entry due earlier than the queue's tail goes to the heap and still comes first.
    const early = entry(5, woken);
    wheel.schedule(early);
    clock.run(1_000);
    expect(woken.map(([due]) => due)).toEqual([5, 10, ...kept.map((e) => 10 + (rest.indexOf(e)) / 100)]);
    for (const [due, at] of woken) expect(at).toBeGreaterThanOrEqual(due);
    expect(wheel.size).toBe(0);
  });

  it('moves an entry whose wake time changed, and an entry may reschedule itself when woken', () => {
    const clock = new EarlyClock(0);
    const wheel = new DeadlineWheel(clock);
    const woken: number[] = [];
    const a: WheelEntry = { wakeAt: 100, heapIndex: -1, queueIndex: -1, wake: (now) => { woken.push(now); if (woken.length < 3) { a.wakeAt = now + 50; wheel.schedule(a); } } };
    wheel.schedule(a);
    a.wakeAt = 20;
    wheel.schedule(a);
    clock.run(1_000);
    expect(woken).toEqual([20, 70, 120]);
  });

  it('holds the process only while an entry is in it (released once the current burst of work is over)', async () => {
    const clock = new EarlyClock(0);
    const wheel = new DeadlineWheel(clock);
    const e = entry(100, []);
    wheel.schedule(e);
    // The timer is created referenced (the default of Node's timers: refs counts only toggles).
    expect(clock.refs).toBe(0);
    wheel.remove(e);
    // A call right after another (a sequential loop) finds it still referenced: no toggling.
    const next = entry(150, []);
    wheel.schedule(next);
    wheel.remove(next);
    await new Promise((resolve) => setImmediate(resolve));
    expect(clock.refs).toBe(-1);
    wheel.schedule(entry(200, []));
    expect(clock.refs).toBe(0);
  });
});
