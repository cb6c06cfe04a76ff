// dnsDiscovery with SRV records that lead to the same address and port: through two target names
// (two names of one host) or the same target listed twice. RFC 2782 draws among records by
// weight, so such an endpoint holds the sum of its records' weights, and a server that rotates
// its answers causes no change (docs/discovery.md, "SRV mapping"). Before, the first record in
// the answer won: the other's weight was lost, and with a rotating server the weight flipped
// (an `endpoints` event) on every refresh. Real dnsmasq, real HTTP backends.
import { createServer, type Server } from 'node:http';
import { expect, it } from 'vitest';
import { createClient, dnsDiscovery, weightedRoundRobin } from '../../src/index.js';
import { describeWith, freePort } from '../helpers/binaries.js';
import { dnsmasqPerTest } from '../helpers/dnsmasq.js';
import { until } from '../helpers/lifecycle.js';

const { binary: dnsmasq, dns, track, defer } = dnsmasqPerTest();

async function backend(port: number, host: string, hits: Record<string, number>): Promise<void> {
  hits[host] = 0;
  const server: Server = createServer((req, res) => { hits[host]!++; req.resume(); res.end(host); });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, host, resolve); });
  defer(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
}

describeWith(dnsmasq, 'dnsDiscovery: SRV records naming one address and port twice', () => {
  it('two SRV targets at one address:port give that endpoint the sum of their weights (calls 40:40, not 10:40)', async () => {
    const port = await freePort();
    const hits: Record<string, number> = {};
    await backend(port, '127.0.0.3', hits);
    await backend(port, '127.0.0.4', hits);
    const svc = '_http._tcp.dup.internal';
    const server = await dns({
      hosts: { 'a.internal': ['127.0.0.3'], 'b.internal': ['127.0.0.3'], 'c.internal': ['127.0.0.4'] },
      srv: [`${svc},a.internal,${port},10,10`, `${svc},b.internal,${port},10,30`, `${svc},c.internal,${port},10,40`],
    });
    const client = track(createClient({ name: 'dup', picker: weightedRoundRobin(), discovery: dnsDiscovery({ srv: svc, servers: [server.server] }) }));
    await until(() => client.endpoints().length === 2, 3_000);
    // RFC 2782: 127.0.0.3 is chosen through a (10) or b (30): 40 of 80.
    expect(client.endpoints().map((e) => [e.host, e.weight])).toEqual([['127.0.0.3', 40], ['127.0.0.4', 40]]);
    for (let i = 0; i < 80; i++) await (await client.fetch('/')).text();
    expect(hits['127.0.0.3']).toBeGreaterThanOrEqual(35);
  });

  it('a server that rotates its SRV answers causes no change (the same target:port listed twice)', async () => {
    const port = await freePort();
    const svc = '_http._tcp.order.internal';
    // dnsmasq rotates the order of this RRset on every query, as many servers do.
    const server = await dns({ hosts: { 'a.internal': ['127.0.0.3'] }, srv: [`${svc},a.internal,${port},10,10`, `${svc},a.internal,${port},10,30`] });
    const client = track(createClient({ name: 'order', discovery: dnsDiscovery({ srv: svc, servers: [server.server], interval: 100, minInterval: 100 }) }));
    await until(() => client.endpoints().length === 1, 3_000);
    const seen = new Set<number>();
    let changes = 0;
    client.on('endpoints', () => { changes++; });
    for (let i = 0; i < 15; i++) {
      seen.add(client.endpoints()[0]!.weight);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await server.queries(svc)).toBeGreaterThan(8);
    // Docs: "Each refresh hands the client the complete set; addresses are sorted, so a server that
    // rotates its answers causes no change." The weight flips between 10 and 30 at each refresh.
    expect([...seen]).toHaveLength(1);
    expect(changes).toBe(0);
  });
});
