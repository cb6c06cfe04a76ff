// What broke (README, "Custom picker"): "It must return one of the endpoints it was given:
// anything else (another client's endpoint, a copy, a Promise) or a throw fails the call with
// `PluginError` and nothing is sent." (found by the hostile-plugins review)
// The attempt stage checked the pick with `instanceof LiveEndpoint` and its fields, which an
// object deriving from an endpoint (`Object.create(endpoint)`) or a Proxy of one passes, reading
// them through. The call was sent: to the host of a `url` the derived object overrode, a host
// this client was never given, and the books counted its outcome on the copy, not the endpoint.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, PluginError, type Client, type EndpointState, type Picker } from '../../src/index.js';

const clients: Client[] = [];
const servers: Server[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
  while (servers.length > 0) {
    const s = servers.pop()!;
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** A picker that returns `wrap(first endpoint)`. */
function wrapping(wrap: (e: EndpointState) => unknown): Picker {
  let list: readonly EndpointState[] = [];
  return {
    name: 'wrapping',
    update(endpoints) { list = endpoints; },
    pick() { return list[0] === undefined ? undefined : (wrap(list[0]) as EndpointState); },
  };
}

async function server(): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const s = createServer((_req, res) => { hits++; res.end('ok'); });
  servers.push(s);
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, hits: () => hits };
}

describe('a picker that returns something deriving from one of its endpoints', () => {
  const derived: [string, (e: EndpointState) => unknown][] = [
    ['Object.create(endpoint)', (e) => Object.create(e)],
    ['a Proxy of the endpoint', (e) => new Proxy(e, {})],
    ['a Proxy whose traps throw', (e) => new Proxy(e, { getPrototypeOf() { throw new Error('trap'); }, get() { throw new Error('trap'); } })],
  ];
  for (const [label, wrap] of derived) {
    it(`${label}: the call fails with PluginError and fn never runs`, async () => {
      const client = createClient({ name: 'svc', discovery: ['tcp://127.0.0.1:1'], picker: wrapping(wrap) });
      clients.push(client);
      let ran = 0;
      const error = await client.execute(() => { ran++; return 1; }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(PluginError);
      expect((error as PluginError).message).toContain('nor is a copy or a Proxy of one');
      expect(ran).toBe(0);
      const stats = client.stats();
      expect(stats.calls).toMatchObject({ started: 1, failed: 1, inflight: 0 });
      expect(stats.attempts).toBe(0);
    });
  }

  it('one whose url says another host: nothing is sent there', async () => {
    const given = await server();
    const other = await server();
    const client = createClient({ name: 'svc', discovery: [given.url], picker: wrapping((e) => Object.assign(Object.create(e), { url: other.url, id: other.url })) });
    clients.push(client);
    const error = await client.fetch('/x').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PluginError);
    expect(other.hits()).toBe(0);
    expect(given.hits()).toBe(0);
  });
});
