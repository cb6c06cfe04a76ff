// What broke: an attempt times out on its own (scope 'attempt', the total deadline still ahead); then
// user code that runs as it ends (an 'attempt' listener, classify, the fn's own abort listener)
// blocks the loop past the total deadline. No retry is made because the total deadline passed,
// and the call rejects at 300 ms (total 150) with the attempt's TimeoutError, scope 'attempt',
// after 1 of 3 attempts.
//
// README, "What is retried" (Deadlines): "when the total deadline runs out the call rejects with
// a TimeoutError whose scope is 'total'. If every attempt timed out, the call rejects with the
// last attempt's TimeoutError (scope: 'attempt')." docs/architecture.md, "Deadlines": the clock
// is read again after the user's code; test/pipeline/stall-past-total-scope.test.ts fixed the
// same outcome when the stall came before the attempt's timer fired. Now the call rejects with a
// 'total' TimeoutError, the attempt's as its cause.
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin, TimeoutError, type Client } from '../../src/index.js';
import { FakeClock, outcome, untilAborted } from '../helpers/fake-clock.js';
import { closeAfterEach } from '../helpers/lifecycle.js';

const { track } = closeAfterEach();

function client(clock: FakeClock): Client {
  return track(createClient({
    name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], picker: roundRobin({ random: () => 0 }), clock,
    timeout: { attempt: 100, total: 150 }, retry: { budget: false, backoff: { base: 0, cap: 0 } },
  }));
}

describe('user code that runs as a timed-out attempt ends blocks past the total deadline', () => {
  it("an 'attempt' listener: the call ends after its total deadline, so scope is 'total'", async () => {
    const clock = new FakeClock();
    const c = client(clock);
    c.on('attempt', () => clock.stall(200)); // a 200 ms synchronous busy loop
    let attempts = 0;
    const o = outcome(c.execute((_e, { signal }) => { attempts++; return untilAborted(signal); }));
    await clock.advance(100);
    await clock.advance(0);
    expect(o.settled).toBe(true);
    expect(clock.now()).toBe(300);
    expect(attempts).toBe(1);
    expect(o.error).toBeInstanceOf(TimeoutError);
    expect((o.error as TimeoutError).scope).toBe('total'); 
    expect((o.error as TimeoutError).message).toBe('svc: call timed out after 150 ms (after 1 attempt)');
    expect(((o.error as TimeoutError).cause as TimeoutError).scope).toBe('attempt');
  });

  it("a classify that runs long: same, scope is 'total'", async () => {
    const clock = new FakeClock();
    const c = client(clock);
    const o = outcome(c.execute((_e, { signal }) => untilAborted(signal), { classify: () => { clock.stall(200); return undefined; } }));
    await clock.advance(100);
    await clock.advance(0);
    expect(o.settled).toBe(true);
    expect(clock.now()).toBe(300);
    expect((o.error as TimeoutError).scope).toBe('total'); 
  });

  it("the fn's own abort listener that runs long: same, scope is 'total'", async () => {
    const clock = new FakeClock();
    const c = client(clock);
    const o = outcome(c.execute((_e, { signal }) => {
      signal.addEventListener('abort', () => clock.stall(200));
      return untilAborted(signal);
    }));
    await clock.advance(100);
    await clock.advance(0);
    expect(o.settled).toBe(true);
    expect(clock.now()).toBe(300);
    expect((o.error as TimeoutError).scope).toBe('total'); 
  });
});
