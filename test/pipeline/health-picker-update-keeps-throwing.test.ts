import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type Client, type Discovery, type EndpointInit, type EndpointState, type HealthEvent, type Picker } from '../../src/index.js';
import { PLUGIN_RETRY_MS } from '../../src/health/plugin-retry.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { until } from '../helpers/lifecycle.js';

// A picker whose `update` keeps throwing for one set (it refuses more than two endpoints). Its
// first refusal is a discoveryError and the set is in use (README); the picker keeps the list it
// had, and calls go on over it. It is given the candidates again (it may have been a passing
// fault: see health-picker-update-throws-as-ejection-ends.test.ts) 1 s later, then 2, 4, … up to
// 30 s: each refusal is one more discoveryError, no call fails for it, and `stats()` does not
// report it again on every look. An active check's result still counts while the picker is
// stale: the check's ejection may be what brings the set back to one the picker takes.

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

/** A picker of the user's that refuses sets of more than two endpoints. */
function capped(): Picker {
  let list: readonly EndpointState[] = [];
  let turn = 0;
  return {
    name: 'capped',
    update(endpoints) {
      if (endpoints.length > 2) throw new Error('too many');
      list = endpoints;
    },
    pick({ tried }) {
      const untried = list.filter((e) => !tried.includes(e));
      return untried.length === 0 ? undefined : untried[turn++ % untried.length];
    },
  };
}

function setup(extra: Record<string, unknown> = {}) {
  const clock = new FakeClock();
  let push!: (list: EndpointInit[]) => void;
  const discovery: Discovery = { watch(update) { push = update; return () => {}; } };
  const client = createClient({ name: 'svc', clock, discovery, picker: capped(), retry: { attempts: 2, backoff: { base: 0, cap: 0 }, budget: false }, ...extra });
  clients.push(client);
  const errors: unknown[] = [];
  client.on('discoveryError', (e) => errors.push(e.error));
  push(['10.0.0.1:80', '10.0.0.2:80']);
  push(['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80']);
  return { clock, client, errors, push: (l: string[]) => push(l) };
}

const hosts = async (client: Client, n: number): Promise<string[]> => {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) seen.push(await client.execute((e) => e.host));
  return seen;
};

describe('a picker whose update keeps throwing for one discovery set', () => {
  it('calls go on over what it kept; it is asked again 1 s, then 2 s later, one discoveryError each, failing no call', async () => {
    const { clock, client, errors } = setup();
    await clock.advance(0);
    expect(errors).toHaveLength(1);
    expect(new Set(await hosts(client, 5))).toEqual(new Set(['10.0.0.1', '10.0.0.2']));
    await clock.advance(PLUGIN_RETRY_MS);
    expect(new Set(await hosts(client, 5))).toEqual(new Set(['10.0.0.1', '10.0.0.2']));
    await clock.advance(0);
    expect(errors).toHaveLength(2);
    // The next ask waits twice as long.
    await clock.advance(2 * PLUGIN_RETRY_MS - 1);
    await hosts(client, 3);
    client.stats();
    await clock.advance(0);
    expect(errors).toHaveLength(2);
    await clock.advance(1);
    await hosts(client, 1);
    await clock.advance(0);
    expect(errors).toHaveLength(3);
  });

  it('stats() does not report it again on every look, and reconfigure reports it once (its own PluginError)', async () => {
    const { clock, client, errors } = setup();
    await clock.advance(0);
    for (let i = 0; i < 5; i++) client.stats();
    await clock.advance(0);
    expect(errors).toHaveLength(1);
    expect(() => client.reconfigure({ timeout: { attempt: 5_000 } })).toThrow(expect.objectContaining({ plugin: 'picker' }));
    await clock.advance(0);
    expect(errors).toHaveLength(1);
  });

  it("an active check's failure still ejects its endpoint, and the picker takes the set that leaves", async () => {
    const { client, errors } = setup({
      health: { checks: { interval: 10, jitter: 0, timeout: 100, unhealthyThreshold: 1, check: (e: EndpointState) => e.host !== '10.0.0.3' } },
    });
    const events: HealthEvent[] = [];
    client.on('health', (e) => events.push(e));
    // The checks run on Node's timers (README, `clock`).
    await until(() => events.length > 0, 2_000);
    expect(events.map((e) => `${e.endpoint.host} ${e.status}`)).toEqual(['10.0.0.3 ejected']);
    expect(new Set(await hosts(client, 4))).toEqual(new Set(['10.0.0.1', '10.0.0.2']));
    expect(errors).toHaveLength(1);
  });
});
