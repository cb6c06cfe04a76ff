// What broke: a `classify` that throws (the user's bug, which the README says "counts against neither the endpoint's health nor the circuit breaker") is booked on the endpoint as a failure — `failures`, `failuresInARow` and a 1 s latency penalty — so a healthy, fast endpoint looks slow and failing in stats() and peakEwma stops sending to it.
//
// README, per-call options table, `classify`: "A classify that throws or returns anything else
// fails the call with PluginError; a bug of yours, it counts against neither the endpoint's
// health nor the circuit breaker." Health (outcome.ts) and the circuit (circuit.ts) do skip it
// via `pluginFailed`, but the books (observe/accounting.ts) see verdict 'failure' from
// call/attempt.ts `judgeFailed` and charge the endpoint: with `health: false` every failure
// counts as ≥ 1 s of latency (README, peakEwma row), so peakEwma now routes away from an
// endpoint that answered in 0 ms. Compare a `health.isFailure` that throws: the books keep the
// attempt's real outcome.
import { expect, it } from 'vitest';
import { createClient, PluginError, roundRobin } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

it('a throwing classify leaves the endpoint that answered neither failed nor slow in stats()', async () => {
  const clock = new FakeClock();
  const client = createClient({ name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80'], clock, health: false, picker: roundRobin({ random: () => 0 }) });
  await expect(client.execute(() => 'answered at once', { classify: () => { throw new Error('bug in my classify'); } })).rejects.toBeInstanceOf(PluginError);
  const [a] = client.stats().endpoints;
  // The endpoint answered, in 0 ms: the user's bug says nothing about it.
  expect(a!.failures).toBe(0);
  expect(a!.failuresInARow).toBe(0);
  expect(a!.latency).toBeLessThan(1_000);
  await client.close();
});
