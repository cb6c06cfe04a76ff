// What broke: a rejected SRV record was not reported again after the name went away and came back.
// docs/discovery.md, "Failures": unusable SRV records are dropped with an `endpointRejected`
// event; "A record is reported once while it stays in the answer (not on every refresh), and
// again if it comes back after being gone." An SRV name that went away (NXDOMAIN, a complete
// answer: no records at all) and came back with the same bad record does not report it again:
// dns.ts treats a DnsNoRecordsError like a refresh that failed part way, and keeps remembering
// what the earlier answer rejected. Real dnsmasq.
import { createServer, type Server } from 'node:http';
import { expect, it } from 'vitest';
import { createClient, dnsDiscovery, type DiscoveryErrorEvent, type EndpointRejectedEvent } from '../../src/index.js';
import { describeWith, findBinary, freePort } from '../helpers/binaries.js';
import { startDnsmasq } from '../helpers/dnsmasq.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';

const dnsmasq = findBinary('dnsmasq', ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq'], 'dnsmasq-base');
const { track, defer } = closeAfterEach();

describeWith(dnsmasq, 'dnsDiscovery: a rejected SRV record after the name was gone', () => {
  it('a bad SRV record that comes back after NXDOMAIN (the name gone) is reported again', async () => {
    const port = await freePort();
    const backend: Server = createServer((req, res) => { req.resume(); res.end('ok'); });
    await new Promise<void>((resolve) => backend.listen(port, '127.0.0.2', resolve));
    defer(() => new Promise<void>((resolve) => backend.close(() => resolve())));
    const svc = '_http._tcp.back.internal';
    const records = [`${svc},a.internal,${port},10,10`, `${svc},zero.internal,0,10,5`];
    const server = await startDnsmasq(dnsmasq.path!, { hosts: { 'a.internal': ['127.0.0.2'], 'zero.internal': ['127.0.0.3'] }, srv: records }, 1);
    defer(() => server.close());
    const client = track(createClient({
      name: 'back',
      discovery: dnsDiscovery({ srv: svc, family: 4, servers: [server.server], interval: 100, minInterval: 100, timeout: 300, tries: 1, backoff: { min: 100, max: 200 } }),
    }));
    const rejected: EndpointRejectedEvent[] = [];
    const errors: DiscoveryErrorEvent[] = [];
    client.on('endpointRejected', (e) => rejected.push(e));
    client.on('discoveryError', (e) => errors.push(e));
    await until(() => client.endpoints().length === 1 && rejected.length === 1, 3_000);

    // The SRV name goes away: NXDOMAIN (dnsmasq is authoritative for *.internal).
    await server.stop();
    await server.start({ srv: [] });
    await until(() => errors.some((e) => (e.error as { code?: string }).code === 'ENOTFOUND'), 5_000);
    expect(client.endpoints()).toHaveLength(1); // the last good set stays (documented)

    // It comes back with the same records, the zero-port one included.
    await server.stop();
    await server.start({ srv: records });
    const seen = errors.length;
    await until(async () => errors.length === seen && (await sleep(300), errors.length === seen), 5_000);
    await sleep(300);
    expect(rejected.map((e) => e.reason)).toEqual(['SRV port 0 is not a usable port (1–65535)', 'SRV port 0 is not a usable port (1–65535)']);
  });
});
