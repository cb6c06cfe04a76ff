// What broke: a hedge was not sent when discovery had removed an endpoint the call tried earlier.
// README "Hedging": when an attempt has not answered `delay` ms after it was sent, "bulwark sends
// one more attempt to an endpoint the call has not tried". src/pipeline/attempt.ts: "when the
// picker has no untried one left ... the hedge is not sent". An endpoint the call tried before
// and that discovery has since removed must not count as one of the remaining endpoints.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, roundRobin, type Client, type EndpointInit, type HedgeEvent } from '../../src/index.js';
import { deferred, FakeClock, settle } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => { while (clients.length > 0) await clients.pop()!.close(); });

function setup(): { clock: FakeClock; client: Client; push: (eps: EndpointInit[]) => void; hedges: HedgeEvent[] } {
  const clock = new FakeClock();
  let push!: (eps: EndpointInit[]) => void;
  const client = createClient({
    name: 'svc', clock, picker: roundRobin({ random: () => 0 }), health: false,
    discovery: { watch(update) { push = update as never; update(['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80']); return () => {}; } },
    hedge: { delay: 50, maxExtraLoad: 1 }, retry: { attempts: 3, backoff: { base: 0, cap: 0 }, budget: false },
  });
  clients.push(client);
  const hedges: HedgeEvent[] = [];
  client.on('hedge', (e) => hedges.push(e));
  return { clock, client, push, hedges };
}

/** Attempt 1 fails at once (retried at once on the next endpoint); attempt 2 hangs; a hedge answers. */
function script(): { fn: (e: { id: string }, c: { attempt: number }) => Promise<string>; endpoints: string[] } {
  const endpoints: string[] = [];
  return {
    endpoints,
    fn: (e, c) => {
      endpoints.push(e.id);
      if (c.attempt === 1) return Promise.reject(new Error('first endpoint down'));
      if (c.attempt === 2) return deferred<string>().promise;
      return Promise.resolve(`answer from ${e.id}`);
    },
  };
}

describe('hedging after discovery removed an endpoint the call had tried', () => {
  it('control: with the set unchanged, the hedge goes to the untried endpoint', async () => {
    const { clock, client, hedges } = setup();
    const s = script();
    const call = client.execute(s.fn);
    await settle();
    expect(s.endpoints).toEqual(['http://10.0.0.1:80', 'http://10.0.0.2:80']);
    await clock.advance(50);
    expect(hedges.map((h) => h.endpoint.id)).toEqual(['http://10.0.0.3:80']);
    await expect(call).resolves.toBe('answer from http://10.0.0.3:80');
  });

  it('still hedges to the untried endpoint once the endpoint that failed earlier has left the set', async () => {
    const { clock, client, push, hedges } = setup();
    const s = script();
    const call = client.execute(s.fn);
    await settle();
    expect(s.endpoints).toEqual(['http://10.0.0.1:80', 'http://10.0.0.2:80']);
    // The endpoint that failed attempt 1 leaves; 10.0.0.3 has not been tried by this call.
    push(['10.0.0.2:80', '10.0.0.3:80']);
    await clock.advance(50);
    expect(hedges.map((h) => h.endpoint.id)).toEqual(['http://10.0.0.3:80']);
    await clock.advance(10);
    expect(await Promise.race([call, Promise.resolve('still waiting on attempt 2')])).toBe('answer from http://10.0.0.3:80');
  });
});
