// An IPv4-mapped AAAA answer (::ffff:127.0.0.2, the IPv6 way of writing 127.0.0.2, RFC 4291
// §2.5.5.2) made one server two endpoints: by name, beside its A answer (that server got two
// thirds of the calls); by SRV, two endpoints with their own weights instead of one with the sum
// (docs/discovery.md). Such an address is now read as its IPv4 address.
import { expect, it } from 'vitest';
import { createClient, dnsDiscovery } from '../../src/index.js';
import { describeWith, findBinary } from '../helpers/binaries.js';
import { startDnsmasq } from '../helpers/dnsmasq.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';

const dnsmasq = findBinary('dnsmasq', ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq'], 'dnsmasq-base');
const { track, defer } = closeAfterEach();

describeWith(dnsmasq, 'dnsDiscovery: an IPv4-mapped AAAA answer next to the same A answer', () => {
  it('makes one endpoint per server, not one per textual form', async () => {
    const server = await startDnsmasq(dnsmasq.path!, { hosts: { 'mapped.internal': ['127.0.0.2', '::ffff:127.0.0.2', '127.0.0.3'] } }, 1);
    defer(() => server.close());
    const client = track(createClient({ name: 'mapped', discovery: dnsDiscovery({ name: 'mapped.internal', port: 8080, servers: [server.server] }) }));
    await until(() => client.endpoints().length > 0, 3_000);
    await sleep(100);
    // 127.0.0.2 and 127.0.0.3: two servers, so two endpoints with equal shares.
    expect(client.endpoints().map((e) => e.host).sort()).toEqual(['127.0.0.2', '127.0.0.3']);
  });

  it('SRV: two targets reaching one server (A 127.0.0.3, AAAA ::ffff:127.0.0.3) on one port are one endpoint with the summed weight', async () => {
    const svc = '_http._tcp.mapped.internal';
    const server = await startDnsmasq(dnsmasq.path!, {
      hosts: { 'a.internal': ['127.0.0.3'], 'b.internal': ['::ffff:127.0.0.3'] },
      srv: [`${svc},a.internal,8080,10,10`, `${svc},b.internal,8080,10,30`],
    }, 1);
    defer(() => server.close());
    const client = track(createClient({ name: 'mapped-srv', discovery: dnsDiscovery({ srv: svc, servers: [server.server] }) }));
    await until(() => client.endpoints().length > 0, 3_000);
    await sleep(100);
    // docs/discovery.md "SRV mapping": records that lead to the same address and port are one endpoint, weights added.
    expect(client.endpoints().map((e) => [e.host, e.weight])).toEqual([['127.0.0.3', 40]]);
  });
});
