// A plugin of the user's that throws where endpoint health changes an endpoint's state: a
// `health.breaker` factory as a probe re-admits an endpoint (inside a call), and a picker's
// `update` or a breaker factory as an active check ejects or re-admits one (outside any call).
// The call it judged fails with PluginError, nothing is left stranded, and a throw outside any
// call is a `discoveryError` event, never an uncaught exception (which would end the process).
import { ConsecutiveBreaker } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { createClient, PluginError, type Endpoint, type EndpointState, type HealthEvent, type Picker } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { healthClients } from '../helpers/health-client.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';

const setup = healthClients();
const { track, defer } = closeAfterEach();

/** Runs a call to completion while moving the fake clock in 10 ms steps (bounded). */
async function drive<T>(clock: FakeClock, promise: Promise<T>): Promise<T> {
  let done = false;
  promise.then(() => { done = true; }, () => { done = true; });
  for (let waited = 0; !done && waited <= 60_000; waited += 10) await clock.advance(10);
  return promise;
}

/** Records uncaught exceptions ahead of the test runner's own handler (in a real process one would end it). */
function uncaughtExceptions(): unknown[] {
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown): void => { uncaught.push(err); };
  process.prependListener('uncaughtException', onUncaught);
  defer(async () => { process.removeListener('uncaughtException', onUncaught); });
  return uncaught;
}

describe('a health.breaker factory that throws as a probe re-admits an endpoint', () => {
  it('fails that call with PluginError, and the endpoint is probed again afterwards (not stranded in probing)', async () => {
    let throwOnce = false;
    const breaker = () => {
      if (throwOnce) { throwOnce = false; throw new Error('factory hiccup'); }
      return new ConsecutiveBreaker(1);
    };
    const { clock, client, events } = setup({ health: { maxEjectionPercent: 100, ejectionTime: 1_000, breaker } });
    let down = true;
    const calls = new Map<string, number>();
    const fn = async (e: Endpoint): Promise<string> => {
      calls.set(e.host, (calls.get(e.host) ?? 0) + 1);
      if (down && e.host === '10.0.0.1') throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
      return e.host;
    };
    for (let i = 0; i < 3; i++) await drive(clock, client.execute(fn));
    expect(events.map((e) => `${e.endpoint.host} ${e.status}`)).toEqual(['10.0.0.1 ejected']);

    await clock.advance(1_500); // the ejection is over: 10.0.0.1 is probed by the next call that picks it
    down = false;
    throwOnce = true;
    const errors: unknown[] = [];
    for (let i = 0; i < 3; i++) await drive(clock, client.execute(fn)).catch((err: unknown) => { errors.push(err); });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(PluginError);

    // The factory works again: 10.0.0.1 answers, so a later probe re-admits it. Before, it was
    // out of the picker's list for good (0 of 30 calls), with its status `probing` forever.
    calls.clear();
    for (let i = 0; i < 30; i++) await drive(clock, client.execute(fn));
    expect(calls.get('10.0.0.1') ?? 0).toBeGreaterThan(0);
    expect(client.stats().endpoints[0]!.health!.status).toBe('healthy');
  });
});

describe('a plugin that throws as an active check changes an endpoint (no call running)', () => {
  it("a picker's update(): a discoveryError with PluginError, no uncaught exception; the picker gets the list once it takes it", async () => {
    const uncaught = uncaughtExceptions();
    let refuse = true;
    let list: readonly EndpointState[] = [];
    const picker: Picker = {
      name: 'needsTwo',
      update(endpoints) {
        if (refuse && endpoints.length < 2) throw new Error('this picker wants two endpoints');
        list = endpoints;
      },
      pick(request) { return list.find((e) => !request.tried.includes(e)) ?? list[0]; },
    };
    let down = true;
    const client = track(createClient({
      name: 'svc', discovery: ['http://127.0.0.1:40001', 'http://127.0.0.1:40002'], picker,
      health: { maxEjectionPercent: 100, panicThreshold: 0, checks: { interval: 20, jitter: 0, unhealthyThreshold: 1, healthyThreshold: 1, check: async (e) => !(down && e.port === 40_001) } },
    }));
    const events: HealthEvent[] = [];
    const errors: unknown[] = [];
    client.on('health', (e) => events.push(e));
    client.on('discoveryError', (e) => errors.push(e.error));
    await until(() => errors.length > 0, 2_000);
    expect(events.map((e) => `${e.endpoint.port} ${e.status}`)).toEqual(['40001 ejected']);
    expect(errors[0]).toBeInstanceOf(PluginError);
    expect((errors[0] as PluginError).message).toContain('needsTwo.update() threw');
    // The next change reaches the picker: 40001 comes back, and the picker has both again.
    refuse = false;
    down = false;
    await until(() => events.length >= 2, 2_000);
    expect(list.map((e) => e.port)).toEqual([40_001, 40_002]);
    await sleep(50);
    expect(uncaught.map(String)).toEqual([]);
  });

  it('a health.breaker factory as a passed check re-admits an endpoint: a discoveryError, and a later pass re-admits it', async () => {
    const uncaught = uncaughtExceptions();
    let made = 0;
    let throwOnce = false;
    const breaker = () => {
      made++;
      if (throwOnce) { throwOnce = false; throw new Error('factory hiccup'); }
      return new ConsecutiveBreaker(5);
    };
    let down = true;
    const client = track(createClient({
      name: 'svc', discovery: ['http://127.0.0.1:40001', 'http://127.0.0.1:40002'],
      health: { breaker, maxEjectionPercent: 100, checks: { interval: 20, jitter: 0, unhealthyThreshold: 1, healthyThreshold: 1, check: async (e) => !(down && e.port === 40_001) } },
    }));
    const events: HealthEvent[] = [];
    const errors: unknown[] = [];
    client.on('health', (e) => events.push(e));
    client.on('discoveryError', (e) => errors.push(e.error));
    await until(() => events.length > 0, 2_000);
    expect(made).toBeGreaterThan(0);
    throwOnce = true;
    down = false;
    await until(() => events.length >= 2, 2_000);
    expect(errors).toHaveLength(1);
    expect((errors[0] as PluginError).plugin).toBe('health.breaker');
    expect(events.map((e) => `${e.endpoint.port} ${e.status}`)).toEqual(['40001 ejected', '40001 healthy']);
    await sleep(50);
    expect(uncaught.map(String)).toEqual([]);
  });
});
