// dnsDiscovery's `timeout` is a number of ms, like every other timeout: a fraction is taken
// (rounded up to the whole ms node:dns needs) instead of making every watch die at start with
// node:dns's RangeError, which left a client over a working DNS server without endpoints.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, dnsDiscovery, type Client } from '../../src/index.js';
import { describeWith, findBinary } from '../helpers/binaries.js';
import { startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.js';

const dnsmasq = findBinary('dnsmasq', ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq'], 'dnsmasq-base');
const clients: Client[] = [];
const servers: Dnsmasq[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describeWith(dnsmasq, 'dnsDiscovery with a timeout that is not a whole number of ms', () => {
  it('resolves over a real dnsmasq: the client gets the set and reports no error', async () => {
    const dns = await startDnsmasq(dnsmasq.path!, { hosts: { 'api.internal': ['127.0.0.2'] } }, 1);
    servers.push(dns);
    const discovery = dnsDiscovery({ name: 'api.internal', port: 8080, servers: [dns.server], timeout: 1500.5, backoff: { min: 50, max: 100 } });
    const client = createClient({ name: 'api', discovery });
    clients.push(client);
    const errors: unknown[] = [];
    client.on('discoveryError', (e) => errors.push(e.error));
    // The first set, or (before the fix) the watch's failure; bounded either way.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 3_000);
      const done = (): void => { clearTimeout(timer); resolve(); };
      client.once('endpoints', done);
      client.once('discoveryError', done);
    });
    expect(errors.map((e) => (e as Error).name)).toEqual([]);
    expect(client.endpoints().map((e) => e.host)).toEqual(['127.0.0.2']);
  });
});
