// What broke: consulDiscovery({ service: "..") was accepted and queried another Consul API path.
// consulDiscovery's `service` is put in the URL path with encodeURIComponent, which leaves "." and
// ".." as they are; fetch's URL parser then resolves them as dot segments (and would do the same
// for "%2E"/"%2E%2E"), so the request goes to another endpoint of Consul's API: "..". asks
// GET /v1/health/, "." asks GET /v1/health/service/ (no service). The option check refuses "/",
// "?", "#" and spaces for exactly this reason, but not dot segments.
import { afterEach, expect, it } from 'vitest';
import { ConfigError, createClient } from '../../src/index.js';
import { consulDiscovery } from '../../src/consul/index.js';
import { startConsulServer, type ConsulServer } from '../helpers/consul-server.js';
import { sleep } from '../helpers/lifecycle.js';

let consul: ConsulServer | undefined;
afterEach(async () => {
  await consul?.close();
  consul = undefined;
});

for (const service of ['..', '.']) {
  it(`a service named ${JSON.stringify(service)} is refused with a ConfigError naming \`service\` and why (never asked for at another API path)`, async () => {
    consul = await startConsulServer();
    let thrown: unknown;
    try {
      consulDiscovery({ service, url: consul.url, backoff: { min: 50, max: 50 } });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).path).toBe('service');
    expect((thrown as ConfigError).message).toMatch(/dot segment/);
    await sleep(100);
    expect(consul.requests).toEqual([]);
  });
}

it('names that only contain dots ("...", ".a", "a.") are still ordinary service names, asked for at /v1/health/service/…', async () => {
  consul = await startConsulServer();
  for (const service of ['...', '.a', 'a.']) {
    const client = createClient({ name: 'users', discovery: consulDiscovery({ service, url: consul.url, backoff: { min: 50, max: 50 } }) });
    try {
      await sleep(150);
    } finally {
      await client.close();
    }
  }
  expect(consul.requests.length).toBeGreaterThan(0);
  for (const r of consul.requests) expect(r.path.startsWith('/v1/health/service/') && r.path.length > '/v1/health/service/'.length).toBe(true);
});
