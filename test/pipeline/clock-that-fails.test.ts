// What broke (found by the time review): a `clock` of the user's that failed left calls behind.
// - Its setTimer threw once: the deadline wheel had recorded the time it meant to arm before
//   asking, so it never armed again; every later call waited for ever. The call that hit it
//   rejected, but stayed in flight (stats, its endpoint) and, when close() ended it, rejected a
//   promise nobody held: an unhandled rejection.
// - Its setTimer returned Node's Timeout (ref/unref, no clear): a call with an earlier deadline
//   failed with "this[#timer]?.clear is not a function", the same way.
// - Its now() returned NaN or Infinity: accepted, then every call timed out at once, "after 300 ms".
// - (review of user-supplied functions) Its setTimer called its function at once, before it
//   returned: the wheel counted the timer as armed after it had fired, and a retrying call
//   waited for ever.
// - (diff review) Its now() threw once as the wheel woke a call: the call was told, but its
//   attempt, marked ended, read the clock again to end, which threw: the call never settled.
// Now the calls the wheel can no longer time end with a PluginError naming the clock, the wheel
// arms again for the next, and a clock that reads no finite number is refused at createClient.
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient, PluginError, roundRobin, type Client, type Clock } from '../../src/index.js';
import { FakeClock, outcome, settle, untilAborted } from '../helpers/fake-clock.js';
import { closeAfterEach } from '../helpers/lifecycle.js';

const { track } = closeAfterEach();

function client(clock: Clock): Client {
  return track(createClient({ name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80'], picker: roundRobin({ random: () => 0 }), clock, timeout: { attempt: 100, total: 300 } }));
}

/** The fake clock, with a setTimer that throws when told to, once. */
function flakyClock(): { fake: FakeClock; clock: Clock; failNext(): void } {
  const fake = new FakeClock();
  let fail = false;
  const clock: Clock = {
    now: () => fake.now(),
    setTimer: (fn, ms) => {
      if (fail) {
        fail = false;
        throw new Error('timer quota exceeded');
      }
      return fake.setTimer(fn, ms);
    },
  };
  return { fake, clock, failNext: () => { fail = true; } };
}

describe('a clock whose setTimer throws once', () => {
  it('fails the call it was timing with a PluginError, sends nothing, and leaves nothing in flight', async () => {
    const { clock, failNext } = flakyClock();
    const c = client(clock);
    failNext();
    let ran = 0;
    const error = await c.execute(() => ++ran).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(PluginError);
    expect((error as PluginError).plugin).toBe('clock');
    expect((error as PluginError).message).toBe('svc: clock failed as the call was timed (timer quota exceeded)');
    expect(ran).toBe(0);
    expect(c.stats().calls.inflight).toBe(0);
    expect(c.stats().endpoints.map((e) => e.inflight)).toEqual([0, 0]);
  });

  it('later calls still time out at their deadline', async () => {
    const { fake, clock, failNext } = flakyClock();
    const c = client(clock);
    failNext();
    await c.execute(() => 'x').catch(() => {});
    const later = outcome(c.execute((_e, { signal }) => untilAborted(signal)));
    await fake.advance(300);
    expect(later.settled).toBe(true);
  });
});

it('a now() that throws once as the wheel fires ends the call with a PluginError', async () => {
  const fake = new FakeClock();
  let nowFails = false;
  const clock: Clock = {
    now: () => {
      if (nowFails) throw new Error('now broke');
      return fake.now();
    },
    setTimer: (fn, ms) => fake.setTimer(fn, ms),
  };
  const c = client(clock);
  const o = outcome(c.execute((_e, { signal }) => untilAborted(signal)));
  await settle();
  nowFails = true;
  await fake.advance(100); // the wheel wakes the call and reads the clock, which throws
  nowFails = false;
  await settle();
  expect(o.settled).toBe(true);
  expect(o.error).toBeInstanceOf(PluginError);
  expect((o.error as PluginError).message).toBe('svc: clock failed as the call was timed (now broke)');
  expect(c.stats().calls.inflight).toBe(0);
});

it("a setTimer returning Node's Timeout (no clear): the calls it leaves untimed fail with a PluginError", async () => {
  const fake = new FakeClock();
  const clock = {
    now: () => fake.now(),
    setTimer: (fn: () => void, ms: number) => {
      const t = fake.setTimer(fn, ms);
      return { ref: t.ref, unref: t.unref };
    },
  } as unknown as Clock;
  const c = client(clock);
  const first = outcome(c.execute((_e, { signal }) => untilAborted(signal)));
  await fake.advance(0);
  expect(first.settled).toBe(true);
  expect(first.error).toBeInstanceOf(PluginError);
  expect((first.error as PluginError).message).toBe('svc: clock failed as the call was timed (clock.setTimer must return a Timer ({ clear(), ref(), unref() }), got an object without them)');
});

it('a setTimer that calls its function before it returns: the call it was timing fails with a PluginError, nothing waits for ever', async () => {
  const clock: Clock = { now: () => performance.now(), setTimer(fn) { fn(); return { clear() {}, ref() {}, unref() {} }; } };
  const c = client(clock);
  let ran = 0;
  const error = await c.execute(() => ++ran).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(PluginError);
  expect((error as PluginError).message).toContain('clock.setTimer called its function before it returned');
  expect(ran).toBe(0);
  expect(c.stats().calls.inflight).toBe(0);
});

it('a clock whose now() reads no finite number is refused at createClient', () => {
  for (const now of [Number.NaN, Number.POSITIVE_INFINITY, '5']) {
    const clock = { now: () => now, setTimer: () => ({ clear() {}, ref() {}, unref() {} }) } as unknown as Clock;
    expect(() => createClient({ name: 'svc', discovery: ['10.0.0.1:80'], clock })).toThrow(ConfigError);
  }
});
