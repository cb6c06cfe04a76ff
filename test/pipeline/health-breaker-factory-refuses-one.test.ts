import { ConsecutiveBreaker, type IBreaker } from 'cockatiel';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, PluginError, roundRobin, type Client, type Discovery, type EndpointInit } from '../../src/index.js';
import { PLUGIN_RETRY_MS as BREAKER_RETRY_MS } from '../../src/health/plugin-retry.js';
import { FakeClock } from '../helpers/fake-clock.js';

// What broke: a `health.breaker` factory that threw for one endpoint of a discovery update
// abandoned the whole update half-way. The picker kept the endpoint the update removed (every
// other call failed with "roundRobin.pick() returned an endpoint discovery has removed"), the
// endpoints after the refused one got no health and never took a call, and nothing asked the
// factory again until discovery changed the set (with a static list, never). Now only the refused
// endpoint is left out (no health, no calls: README, stats()), the rest of the update applies,
// and the factory is asked again BREAKER_RETRY_MS later (doubling while it keeps throwing), by
// the next call or stats(); throwing again is reported as a discoveryError, and fails no call.

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

function setup(refuse: (made: number) => boolean) {
  const clock = new FakeClock();
  let made = 0;
  let push!: (list: EndpointInit[]) => void;
  const discovery: Discovery = { watch(update) { push = update; return () => {}; } };
  const client = createClient({
    name: 'svc', clock, discovery, picker: roundRobin({ random: () => 0 }), retry: { attempts: 1, budget: false },
    health: { breaker: (): IBreaker => { made++; if (refuse(made)) throw new Error('boom'); return new ConsecutiveBreaker(5); } },
  });
  clients.push(client);
  const errors: unknown[] = [];
  client.on('discoveryError', (e) => errors.push(e.error));
  return { clock, client, errors, push: (list: string[]) => push(list) };
}

const status = (client: Client): Record<string, string | null> =>
  Object.fromEntries(client.stats().endpoints.map((e) => [new URL(e.url).hostname, e.health?.status ?? null]));

async function hosts(client: Client, n: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) seen.push(await client.execute((e) => e.host));
  return seen;
}

describe('a health.breaker factory that throws for one endpoint of a discovery update', () => {
  it('leaves only that endpoint out; the update applies, and the factory is asked again later', async () => {
    // Made: 1 at createClient; 2, 3 the first set; 4 (10.0.0.3) throws; 5 (10.0.0.4) works.
    let refusing = true;
    const { clock, client, errors, push } = setup((made) => made === 4 || (refusing && made > 5));
    push(['10.0.0.1:80', '10.0.0.2:80']);
    push(['10.0.0.2:80', '10.0.0.3:80', '10.0.0.4:80']);
    await clock.advance(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(PluginError);
    expect(status(client)).toEqual({ '10.0.0.2': 'healthy', '10.0.0.3': null, '10.0.0.4': 'healthy' });
    // The removed 10.0.0.1 is gone from the picker, and 10.0.0.3 takes no calls.
    expect(new Set(await hosts(client, 6))).toEqual(new Set(['10.0.0.2', '10.0.0.4']));

    // Asked again after BREAKER_RETRY_MS, by the next call: it throws again, reported, and the call goes on.
    await clock.advance(BREAKER_RETRY_MS);
    expect(new Set(await hosts(client, 4))).toEqual(new Set(['10.0.0.2', '10.0.0.4']));
    await clock.advance(0);
    expect(errors).toHaveLength(2);
    expect(status(client)['10.0.0.3']).toBeNull();

    // The factory works again: asked again two seconds later (the wait doubled), 10.0.0.3 gets its health and takes calls.
    refusing = false;
    await clock.advance(2 * BREAKER_RETRY_MS - 1);
    expect(await hosts(client, 4)).not.toContain('10.0.0.3');
    await clock.advance(1);
    expect(await hosts(client, 6)).toContain('10.0.0.3');
    expect(status(client)).toEqual({ '10.0.0.2': 'healthy', '10.0.0.3': 'healthy', '10.0.0.4': 'healthy' });
    expect(errors).toHaveLength(2);
  });

  it('stats() asks the factory again for a client that makes no calls', async () => {
    let refusing = true;
    // Not createClient's own breaker (the first): a factory that throws there fails createClient.
    const { clock, client, errors, push } = setup((made) => made > 1 && refusing);
    push(['10.0.0.1:80']);
    await clock.advance(0);
    expect(errors).toHaveLength(1);
    expect(status(client)).toEqual({ '10.0.0.1': null });
    refusing = false;
    await clock.advance(BREAKER_RETRY_MS);
    expect(status(client)).toEqual({ '10.0.0.1': 'healthy' });
    expect(await hosts(client, 2)).toEqual(['10.0.0.1', '10.0.0.1']);
  });
});
