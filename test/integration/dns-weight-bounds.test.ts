// What broke: dnsDiscovery's weight option was not held to the weight range, and summed SRV weights over 1e6 dropped the endpoint.
// Weights are now bounded to [1e-6, 1e6] (README "Endpoints": "a weight outside it rejects the
// endpoint ... ConfigError at discovery[i].weight for a list, an endpointRejected event from
// discovery"). dnsDiscovery's own `weight` option still only checks "finite > 0": a weight the
// client will refuse on every endpoint is accepted at creation, and every refresh then rejects
// every address (no endpoint ever), instead of a ConfigError naming `weight` up front.
// And SRV weights that add up (records leading to one address:port are one endpoint, "their
// weights add up", docs/discovery.md) can pass 1e6, though parse.ts says SRV weights "fall well inside".
import { createServer, type Server } from 'node:http';
import { expect, it, describe } from 'vitest';
import { ConfigError, createClient, dnsDiscovery, type EndpointRejectedEvent } from '../../src/index.js';
import { describeWith, findBinary, freePort } from '../helpers/binaries.js';
import { startDnsmasq } from '../helpers/dnsmasq.js';
import { closeAfterEach, until, sleep } from '../helpers/lifecycle.js';

const dnsmasq = findBinary('dnsmasq', ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq'], 'dnsmasq-base');
const { track, defer } = closeAfterEach();

describe('dnsDiscovery weight option vs the endpoint weight range', () => {
  it('a weight over 1e6 is refused at creation with a ConfigError naming weight (every endpoint would be rejected)', () => {
    // The same weight in a static list is a ConfigError at once:
    expect(() => createClient({ name: 'w', discovery: [{ host: '127.0.0.1', port: 80, weight: 2e6 }] })).toThrow(ConfigError);
    expect(() => dnsDiscovery({ name: 'api.internal', port: 8080, weight: 2e6 })).toThrow(ConfigError);
  });

  it('a weight under 1e-6 is refused at creation with a ConfigError naming weight', () => {
    expect(() => dnsDiscovery({ name: 'api.internal', port: 8080, weight: 1e-9 })).toThrow(ConfigError);
  });
});

describeWith(dnsmasq, 'SRV weights that add up past 1e6', () => {
  it('sixteen SRV records (weight 65535) leading to one address:port still give a usable endpoint', async () => {
    const port = await freePort();
    const server: Server = createServer((req, res) => { req.resume(); res.end('ok'); });
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.3', resolve); });
    defer(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
    const svc = '_http._tcp.heavy.internal';
    const hosts: Record<string, string[]> = {};
    const srv: string[] = [];
    for (let i = 0; i < 16; i++) {
      hosts[`t${i}.internal`] = ['127.0.0.3'];
      srv.push(`${svc},t${i}.internal,${port},10,65535`);
    }
    const dns = await startDnsmasq(dnsmasq.path!, { hosts, srv }, 1);
    defer(() => dns.close());
    const rejected: EndpointRejectedEvent[] = [];
    const errors: unknown[] = [];
    const client = track(createClient({ name: 'heavy', discovery: dnsDiscovery({ srv: svc, servers: [dns.server] }) }));
    client.on('endpointRejected', (e) => rejected.push(e));
    client.on('discoveryError', (e) => errors.push(e));
    await until(() => client.endpoints().length === 1 || rejected.length > 0 || errors.length > 0, 3_000).catch(() => {});
    await sleep(100);
    expect(rejected.map((r) => r.reason)).toEqual([]);
    expect(client.endpoints().map((e) => e.host)).toEqual(['127.0.0.3']);
  }, 15_000);
});
