// What broke: bulwarkInterceptor composed on an undici Pool or Client (not an Agent) silently sent every "load-balanced" request to that dispatcher's own origin, while bulwark's stats and errors named endpoints that never saw a byte (and blamed them when that origin was down); compose now refuses it with a ConfigError saying to use an Agent.
import { Agent, BalancedPool, Client as UndiciClient, Pool } from 'undici';
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient, roundRobin } from '../../src/index.js';
import { bulwarkInterceptor } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { closedPort, ok, type Handler } from '../helpers/servers.js';

const { track, servers, defer } = closeAfterEach();

const decoy: Handler = (req, res) => {
  req.resume();
  res.writeHead(200).end('decoy');
};

/** Composes the interceptor on `base`, or returns what compose threw. */
function composeOn(base: Pool | UndiciClient | BalancedPool, origin: string, client: ReturnType<typeof createClient>): { composed?: ReturnType<Pool['compose']>; thrown?: unknown } {
  defer(() => base.destroy());
  try {
    return { composed: base.compose(bulwarkInterceptor({ origins: { [origin]: client } })) };
  } catch (thrown) {
    return { thrown };
  }
}

function expectRefused(thrown: unknown): void {
  expect(thrown).toBeInstanceOf(ConfigError);
  expect((thrown as ConfigError).path).toBe('dispatcher');
  expect((thrown as Error).message).toMatch(/must be an Agent/);
}

describe('bulwarkInterceptor composed on a dispatcher for one origin', () => {
  it("is refused at compose time: nothing goes to the Pool's own origin", async () => {
    const [a, b, other] = await servers(ok(), ok(), decoy);
    const client = track(createClient({ name: 'svc', discovery: [a!.url, b!.url], picker: roundRobin({ random: () => 0 }) }));
    const { composed, thrown } = composeOn(new Pool(other!.url), other!.url, client);
    if (composed !== undefined) {
      const outcome = await composed.request({ path: '/x', method: 'GET' }).then(async (r) => `status ${r.statusCode}: ${await r.body.text()}`, (e: Error) => `${e.name}: ${e.message}`);
      // Before: the request reached the Pool's origin ("decoy"), yet bulwark booked it as a success of a or b.
      expect.fail(`compose on a Pool was accepted; the request gave ${outcome}, the decoy saw ${other!.requests.length}`);
    }
    expectRefused(thrown);
  });

  it('is refused on a Pool whose origin is down too, so no healthy endpoint is blamed for it', async () => {
    const [a, b] = await servers(ok(), ok());
    const down = await closedPort();
    const client = track(createClient({ name: 'svc', discovery: [a!.url, b!.url], picker: roundRobin({ random: () => 0 }) }));
    const { composed, thrown } = composeOn(new Pool(down), down, client);
    if (composed !== undefined) {
      const outcome = await composed.request({ path: '/x', method: 'GET' }).then((r) => { void r.body.dump(); return `status ${r.statusCode}`; }, (e: Error) => e.message);
      // Before: "svc: request failed after 3 attempts (last: connection refused at <a or b>)", both up and never contacted.
      expect.fail(`compose on a Pool was accepted; the request gave ${outcome}; failures ${JSON.stringify(client.stats().endpoints.map((e) => e.failures))}`);
    }
    expectRefused(thrown);
  });

  it('is refused on a Client and a BalancedPool; an Agent still routes', async () => {
    const [a] = await servers(ok());
    const client = track(createClient({ name: 'svc', discovery: [a!.url] }));
    expectRefused(composeOn(new UndiciClient(a!.url), 'http://svc.internal', client).thrown);
    expectRefused(composeOn(new BalancedPool([a!.url]), 'http://svc.internal', client).thrown);
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.destroy());
    const res = await agent.request({ origin: 'http://svc.internal', path: '/x', method: 'GET' });
    expect({ status: res.statusCode, body: await res.body.text() }).toEqual({ status: 200, body: String(a!.port) });
  });
});
