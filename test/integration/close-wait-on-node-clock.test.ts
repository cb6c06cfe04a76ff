// What broke (found by the review of user-supplied functions): close() waited for the discovery
// and configuration sources' stop on the client's `clock`. With a fake clock a test does not
// move, a stop that never settles kept close() from ever resolving (README: it waits "at most
// 10 s"); with a clock whose setTimer throws, close() resolved at once, without waiting for the
// stop, and left every listener attached. The wait is now on Node's clock.
import { expect, it } from 'vitest';
import { createClient, type Clock, type Discovery } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

it('close() resolves within 10 s of real time with a fake clock and a discovery stop that never settles', async () => {
  const clock = new FakeClock();
  const discovery: Discovery = { watch(update) { update(['10.0.0.1:80']); return () => new Promise<void>(() => {}); } };
  const c = createClient({ name: 'svc', discovery, clock });
  const errors: unknown[] = [];
  c.on('discoveryError', (e) => errors.push(e.error));
  const result = await Promise.race([
    c.close().then(() => 'resolved'),
    new Promise<string>((resolve) => setTimeout(() => resolve('still pending after 11.5 s'), 11_500).unref()),
  ]);
  expect(result).toBe('resolved');
  expect(errors).toHaveLength(1);
}, 20_000);

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
