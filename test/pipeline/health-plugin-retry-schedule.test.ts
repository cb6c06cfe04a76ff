import { ConsecutiveBreaker, type IBreaker } from 'cockatiel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient, PluginError, type Client, type Discovery, type EndpointInit, type EndpointState, type Picker } from '../../src/index.js';
import { HealthTracker } from '../../src/health/tracker.js';
import { PLUGIN_RETRY_MS } from '../../src/health/plugin-retry.js';
import { FakeClock } from '../helpers/fake-clock.js';

// What broke (found by reviews of this change before it landed): re-asking a health.breaker
// factory that had thrown, while the picker was stale, failed the call that happened to look
// (the re-ask republished the candidates as if the call had changed them); a discovery update
// that both the factory and the picker refused reported only the picker; an endpoint refused for
// the first time waited the delay other endpoints' refusals had doubled. A re-ask is background
// work: a throw then is a discoveryError, failing no call, and calls between re-asks do not run
// the tracker's refresh (the hot path stays one comparison).

const clients: Client[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  while (clients.length > 0) await clients.pop()!.close();
});

/** A picker of the user's that refuses sets of more than `cap` endpoints (while `cap` says so). */
function capped(state: { cap: number }): Picker {
  let list: readonly EndpointState[] = [];
  let turn = 0;
  return {
    name: 'capped',
    update(endpoints) {
      if (endpoints.length > state.cap) throw new Error('too many');
      list = endpoints;
    },
    pick({ tried }) {
      const untried = list.filter((e) => !tried.includes(e));
      return untried.length === 0 ? undefined : untried[turn++ % untried.length];
    },
  };
}

function setup(refuse: (made: number) => boolean, picker: Picker) {
  const clock = new FakeClock();
  let made = 0;
  let push!: (list: EndpointInit[]) => void;
  const discovery: Discovery = { watch(update) { push = update; return () => {}; } };
  const client = createClient({
    name: 'svc', clock, discovery, picker, retry: { attempts: 1, budget: false },
    health: { breaker: (): IBreaker => { made++; if (refuse(made)) throw new Error('boom'); return new ConsecutiveBreaker(5); } },
  });
  clients.push(client);
  const errors: PluginError[] = [];
  client.on('discoveryError', (e) => errors.push(e.error as PluginError));
  return { clock, client, errors, push: (l: string[]) => push(l), made: () => made };
}

const status = (client: Client): Record<string, string | null> =>
  Object.fromEntries(client.stats().endpoints.map((e) => [new URL(e.url).hostname, e.health?.status ?? null]));

describe('breaker factory and picker both refusing', () => {
  it('the update reports both plugins (the factory error is not lost when the picker throws too)', async () => {
    const cap = { cap: 2 };
    // made: 1 createClient; 2,3 first set; 4 (10.0.0.3) throws; 5 (10.0.0.4) works.
    const { clock, errors, push } = setup((m) => m === 4, capped(cap));
    push(['10.0.0.1:80', '10.0.0.2:80']);
    push(['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80', '10.0.0.4:80']);
    await clock.advance(0);
    expect(errors.map((e) => e.plugin).sort()).toEqual(['health.breaker', 'picker']);
  });

  it('a due re-ask of a factory that throws again does not fail the call while the picker is stale', async () => {
    const cap = { cap: 2 };
    const { clock, client, errors, push } = setup((m) => m >= 4 && m !== 5, capped(cap));
    push(['10.0.0.1:80', '10.0.0.2:80']);
    push(['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80', '10.0.0.4:80']);
    await clock.advance(0);
    const before = errors.length;
    await clock.advance(PLUGIN_RETRY_MS);
    // Both retries are due now; nothing about the endpoints changed because of this call.
    const results = await Promise.allSettled([client.execute((e) => e.host)]);
    await clock.advance(0);
    expect(results[0]!.status).toBe('fulfilled');
    expect(errors.length).toBeGreaterThan(before);
    expect(status(client)['10.0.0.3']).toBeNull();
  });

  it('a due re-ask where the factory now works, picker stale: the call still goes through', async () => {
    const cap = { cap: 2 };
    const { clock, client, push } = setup((m) => m === 4, capped(cap));
    push(['10.0.0.1:80', '10.0.0.2:80']);
    push(['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80', '10.0.0.4:80']);
    await clock.advance(PLUGIN_RETRY_MS);
    const results = await Promise.allSettled([client.execute((e) => e.host)]);
    expect(results[0]!.status).toBe('fulfilled');
  });
});

/** Twenty calls in a row, each to whichever endpoint the picker gives. */
async function twentyCalls(client: Client): Promise<void> {
  for (let i = 0; i < 20; i++) await client.execute((e) => e.host);
}

/** A client whose set grows from two endpoints to three, with the tracker's `refresh` watched from then on. */
async function grownAndWatched(refuse: (made: number) => boolean, picker: Picker) {
  const { clock, client, push } = setup(refuse, picker);
  push(['10.0.0.1:80', '10.0.0.2:80']);
  push(['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80']);
  await clock.advance(0);
  return { clock, client, spy: vi.spyOn(HealthTracker.prototype, 'refresh') };
}

describe('hot path: refresh is not run on every call', () => {
  it('picker that keeps throwing: no refresh between retries, one per retry', async () => {
    const cap = { cap: 2 };
    const { clock, client, spy } = await grownAndWatched(() => false, capped(cap));
    await twentyCalls(client);
    expect(spy).toHaveBeenCalledTimes(0);
    await clock.advance(PLUGIN_RETRY_MS);
    await twentyCalls(client);
    expect(spy).toHaveBeenCalledTimes(1);
    // The picker works now: its next retry (2 s later) succeeds, and then refresh stops.
    cap.cap = 10;
    await clock.advance(2 * PLUGIN_RETRY_MS);
    spy.mockClear();
    await twentyCalls(client);
    expect(spy.mock.calls.length).toBeLessThanOrEqual(2);
    spy.mockClear();
    await twentyCalls(client);
    expect(spy).toHaveBeenCalledTimes(0);
    expect(status(client)).toEqual({ '10.0.0.1': 'healthy', '10.0.0.2': 'healthy', '10.0.0.3': 'healthy' });
  });

  it('factory that keeps throwing: no refresh between re-asks', async () => {
    const { clock, client, spy } = await grownAndWatched((m) => m >= 4, capped({ cap: 10 }));
    await twentyCalls(client);
    expect(spy).toHaveBeenCalledTimes(0);
    await clock.advance(PLUGIN_RETRY_MS);
    await twentyCalls(client);
    expect(spy).toHaveBeenCalledTimes(1);
    await clock.advance(2 * PLUGIN_RETRY_MS - 1);
    await twentyCalls(client);
    expect(spy).toHaveBeenCalledTimes(1);
  });
});

describe('shared doubling', () => {
  it("a different endpoint's first refusal waits 1 s, not the doubled delay", async () => {
    // made: 1 createClient; 2 = 10.0.0.1 ok; 3 = 10.0.0.2 throws (t=0); at t=100: 4 = 10.0.0.2 ok, 5 = 10.0.0.3 throws.
    const { clock, client, push } = setup((m) => m === 3 || m === 5, capped({ cap: 10 }));
    push(['10.0.0.1:80']);
    push(['10.0.0.1:80', '10.0.0.2:80']);
    await clock.advance(100);
    push(['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80']);
    expect(status(client)).toEqual({ '10.0.0.1': 'healthy', '10.0.0.2': 'healthy', '10.0.0.3': null });
    await clock.advance(PLUGIN_RETRY_MS);
    expect(status(client)['10.0.0.3']).toBe('healthy');
  });
});
