// What broke: a discovery adapter that reports a failure as error(undefined) (a `.catch(error)` on a promise rejected without a reason) fails the calls then waiting, but every later call waits out its whole total deadline instead of failing at once.
// README, "Deadlines": "once discovery has reported an error and still no set, calls fail at once
// with NoEndpointsError whose cause is that error"; "Custom discovery": "after an `error` with
// no set yet, they fail at once with NoEndpointsError unless waitForEndpoints: true". The
// client remembers the failure only as `host.lastDiscoveryError`, and tests it with
// `!== undefined` (pipeline/wait-for-endpoints.ts, call/engine.ts refusesNow): an `undefined`
// error is taken for "no error". The calls waiting at that moment do fail (WaitForEndpoints.failed),
// so the same client treats the same state two ways.
import { expect, it } from 'vitest';
import { createClient, DiscoveryError, NoEndpointsError, type Discovery } from '../../src/index.js';
import { FakeClock, settle } from '../helpers/fake-clock.js';

it('a call made after error(undefined) with no set yet fails at once, as the calls waiting then did', async () => {
  let fail!: (err: unknown) => void;
  const discovery: Discovery = { watch(_update, error) { fail = error; return () => {}; } };
  // The clock never moves: a call that waited for its deadline would never settle.
  const client = createClient({ name: 'quiet-failure', discovery, clock: new FakeClock() });
  try {
    const waiting = client.execute(() => 'never').catch((err: unknown) => err);
    fail(undefined);
    expect(await waiting).toBeInstanceOf(NoEndpointsError);

    let later: unknown;
    client.execute(() => 'never').catch((err: unknown) => { later = err; });
    await settle();
    // Was: still waiting (for the 30 s total deadline).
    expect(later).toBeInstanceOf(NoEndpointsError);
    expect((later as NoEndpointsError).cause).toBeInstanceOf(DiscoveryError);
    expect(((later as NoEndpointsError).cause as Error).message).toBe('quiet-failure: discovery reported an error without a reason (error(undefined))');
  } finally {
    await client.close();
  }
});

// What broke: error(null) was passed on as it was: a discoveryError listener reading `error.message` threw, and NoEndpointsError's cause was null.
it('error(null) is a failure without a reason too', async () => {
  let fail!: (err: unknown) => void;
  const discovery: Discovery = { watch(_update, error) { fail = error; return () => {}; } };
  const client = createClient({ name: 'quiet-failure', discovery, clock: new FakeClock() });
  const seen: unknown[] = [];
  client.on('discoveryError', ({ error }) => seen.push(error));
  try {
    fail(null);
    await settle();
    expect(seen[0]).toBeInstanceOf(DiscoveryError);
    const later = await client.execute(() => 'never').catch((err: unknown) => err);
    expect(((later as NoEndpointsError).cause as Error).message).toBe('quiet-failure: discovery reported an error without a reason (error(null))');
  } finally {
    await client.close();
  }
});
