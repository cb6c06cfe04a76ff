// What broke (found by the review of user-supplied functions): close() waited for the discovery
// and configuration sources' stop on the client's `clock`. With a fake clock a test does not
// move, a stop that never settles kept close() from ever resolving (README: it waits "at most
// 10 s"); with a clock whose setTimer throws, close() resolved at once, without waiting for the
// stop, and left every listener attached. The wait is now on Node's clock.
import { expect, it, vi } from 'vitest';
import { createClient, type Clock, type Discovery } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

it('close() resolves 10 s after it began on Node\'s clock, with a fake client clock and a discovery stop that never settles', async () => {
  // Node's timers are faked (vitest's), so the 10 s pass at once; the client's own clock never moves.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    const clock = new FakeClock();
    const discovery: Discovery = { watch(update) { update(['10.0.0.1:80']); return () => new Promise<void>(() => {}); } };
    const c = createClient({ name: 'svc', discovery, clock });
    const errors: unknown[] = [];
    c.on('discoveryError', (e) => errors.push(e.error));
    let resolved = false;
    void c.close().then(() => (resolved = true));
    await vi.advanceTimersByTimeAsync(9_900);
    expect(resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(resolved).toBe(true);
    expect(errors).toHaveLength(1);
  } finally {
    vi.useRealTimers();
  }
});

it('close() waits for discovery and removes listeners even when the clock cannot set a timer', async () => {
  let stopped = false;
  const discovery: Discovery = {
    watch(update) {
      update(['10.0.0.1:80']);
      return () => new Promise<void>((resolve) => setTimeout(() => { stopped = true; resolve(); }, 100));
    },
  };
  let broken = false;
  const clock: Clock = {
    now: () => performance.now(),
    setTimer(fn, ms) {
      if (broken) throw new Error('clock broke');
      const t = setTimeout(fn, ms);
      return { clear: () => clearTimeout(t), ref: () => { t.ref(); }, unref: () => { t.unref(); } };
    },
  };
  const c = createClient({ name: 'svc', discovery, clock });
  c.on('discoveryError', () => {});
  broken = true;
  await c.close();
  expect({ stopped, listeners: c.listenerCount('discoveryError') }).toEqual({ stopped: true, listeners: 0 });
});
