// What broke: an SRV priority whose records all merge into a more preferred endpoint (same address and port) still takes a level, so later priorities get non-dense levels (SRV 10, 30 with endpoints → levels 0 and 2, not 0 and 1).
// docs/discovery.md, "SRV mapping": "SRV priorities become the endpoints' priority, as 0-based
// levels in order (SRV 10 and 20 → 0 and 1 ...)" and "Records that lead to the same address and
// port ... at several the most preferred keeps it". Here the answer's endpoints sit at SRV
// priorities 10 and 30 only, yet get levels 0 and 2; the same endpoints without the redundant
// priority-20 record get 0 and 1, and a priority-20 record whose target does not resolve is not
// counted either (levels 0 and 1). So adding a redundant record changes every later endpoint's
// priority (an `endpoints` update for an unchanged set of servers).
import { expect, it } from 'vitest';
import { createClient, dnsDiscovery, type Client } from '../../src/index.js';
import { describeWith, findBinary } from '../helpers/binaries.js';
import { startDnsmasq, type DnsRecords } from '../helpers/dnsmasq.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';

const dnsmasq = findBinary('dnsmasq', ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq'], 'dnsmasq-base');

const { track, defer } = closeAfterEach();
const svc = '_http._tcp.levels.internal';
const hosts = { 'a.internal': ['127.0.0.2'], 'b.internal': ['127.0.0.2'], 'c.internal': ['127.0.0.3'] };

async function levels(srv: string[]): Promise<[string, number][]> {
  const records: DnsRecords = { hosts, srv };
  const server = await startDnsmasq(dnsmasq.path!, records, 1);
  defer(() => server.close());
  const client: Client = track(createClient({ name: 'levels', discovery: dnsDiscovery({ srv: svc, servers: [server.server] }) }));
  await until(() => client.endpoints().length === 2, 3000);
  return client.endpoints().map((e) => [e.host, e.priority]);
}

describeWith(dnsmasq, 'dnsDiscovery SRV priority levels', () => {
  it('a priority whose target does not resolve takes no level', async () => {
    expect(await levels([`${svc},a.internal,80,10,1`, `${svc},missing.internal,80,20,1`, `${svc},c.internal,80,30,1`])).toEqual([['127.0.0.2', 0], ['127.0.0.3', 1]]);
  });

  it('a priority whose records all merge into a more preferred endpoint takes no level either', async () => {
    // b.internal has a.internal's address: its priority-20 record is the priority-10 endpoint.
    expect(await levels([`${svc},a.internal,80,10,1`, `${svc},b.internal,80,20,1`, `${svc},c.internal,80,30,1`])).toEqual([['127.0.0.2', 0], ['127.0.0.3', 1]]);
  });
});
