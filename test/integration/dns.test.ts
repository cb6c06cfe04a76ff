// dnsDiscovery against a real dnsmasq (Debian dnsmasq-base) on 127.0.0.1, and real node:http
// servers on 127.0.0.2–5 (Linux routes all of 127/8 to loopback).
import { Resolver } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { createClient, dnsDiscovery, roundRobin, weightedRoundRobin, type Client, type DiscoveryErrorEvent, type EndpointRejectedEvent } from '../../src/index.js';
import { describeWith, findBinary, freePort } from '../helpers/binaries.js';
import { startDnsmasq, type DnsRecords, type Dnsmasq } from '../helpers/dnsmasq.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';

const dnsmasq = findBinary('dnsmasq', ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq'], 'dnsmasq-base');
// Some containers run without IPv6, loopback included: the AAAA test needs ::1.
const ipv6 = await new Promise<boolean>((resolve) => {
  const s = createServer().once('error', () => resolve(false)).listen(0, '::1', () => s.close(() => resolve(true)));
});
if (!ipv6) console.warn('skipping the AAAA test: this machine has no IPv6 loopback (::1)');
const { track, defer } = closeAfterEach();

interface Backend { readonly host: string; hits: number }

/** One HTTP server per address, all on the same port, answering with their address. */
async function backends(port: number, ...hosts: string[]): Promise<Record<string, Backend>> {
  const out: Record<string, Backend> = {};
  for (const host of hosts) {
    const backend: Backend = { host, hits: 0 };
    const server: Server = createServer((req, res) => {
      backend.hits++;
      req.resume();
      res.end(host);
    });
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, host, resolve); });
    expect((server.address() as AddressInfo).address).toBe(host);
    defer(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
    out[host] = backend;
  }
  return out;
}

async function dns(records: DnsRecords, ttl: number): Promise<Dnsmasq> {
  const server = await startDnsmasq(dnsmasq.path!, records, ttl);
  defer(() => server.close());
  return server;
}

const ids = (client: Client): string[] => client.endpoints().map((e) => e.id).sort();
const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

async function bodies(client: Client, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await (await client.fetch('/')).text());
  return out;
}

describeWith(dnsmasq, 'dnsDiscovery against a real dnsmasq', () => {
  it('A records become endpoints; the client follows changes within the TTL, keeps its set through an outage and recovers', async () => {
    const port = await freePort();
    const b = await backends(port, '127.0.0.2', '127.0.0.3', '127.0.0.4');
    const server = await dns({ hosts: { 'api.internal': ['127.0.0.2', '127.0.0.3'] } }, 1);
    const client = track(createClient({
      name: 'api', picker: roundRobin(),
      discovery: dnsDiscovery({ name: 'api.internal', port, servers: [server.server], minInterval: 100, timeout: 500, tries: 1, backoff: { min: 100, max: 400 } }),
    }));
    const errors: DiscoveryErrorEvent[] = [];
    client.on('discoveryError', (e) => errors.push(e));

    await until(() => client.endpoints().length === 2);
    expect(ids(client)).toEqual([`http://127.0.0.2:${port}`, `http://127.0.0.3:${port}`]);
    expect(client.endpoints().every((e) => e.metadata.hostname === 'api.internal')).toBe(true);
    expect(new Set(await bodies(client, 6))).toEqual(new Set(['127.0.0.2', '127.0.0.3']));
    expect(errors).toEqual([]); // the AAAA query's NODATA is no error

    // Records change: the TTL is 1 s, so the client sees it within about a second.
    await server.setHosts({ 'api.internal': ['127.0.0.3', '127.0.0.4'] });
    const changed = [`http://127.0.0.3:${port}`, `http://127.0.0.4:${port}`];
    await until(() => same(ids(client), changed), 3_000);
    expect(ids(client)).toEqual(changed);
    const before2 = b['127.0.0.2']!.hits;
    expect(new Set(await bodies(client, 6))).toEqual(new Set(['127.0.0.3', '127.0.0.4']));
    expect(b['127.0.0.2']!.hits).toBe(before2);

    // dnsmasq stops: refreshes fail, the client keeps the last good set and calls go on.
    await server.stop();
    await until(() => errors.length >= 2, 5_000);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(ids(client)).toEqual(changed);
    expect(new Set(await bodies(client, 4))).toEqual(new Set(['127.0.0.3', '127.0.0.4']));

    // dnsmasq is back, with records changed while it was down: the adapter recovers by itself.
    await server.start({ hosts: { 'api.internal': ['127.0.0.2'] } });
    await until(() => same(ids(client), [`http://127.0.0.2:${port}`]), 5_000);
    expect(ids(client)).toEqual([`http://127.0.0.2:${port}`]);
    expect(await bodies(client, 2)).toEqual(['127.0.0.2', '127.0.0.2']);
  });

  it.skipIf(!ipv6)('family: 0 reads A and AAAA records, 4 and 6 one of them; calls reach IPv6 endpoints too', async () => {
    const port = await freePort();
    await backends(port, '127.0.0.2', '::1');
    const server = await dns({ hosts: { 'dual.internal': ['127.0.0.2', '::1'] } }, 1);
    const make = (family: 0 | 4 | 6): Client => track(createClient({ name: `dual${family}`, discovery: dnsDiscovery({ name: 'dual.internal', port, family, servers: [server.server] }) }));
    const [both, v4, v6] = [make(0), make(4), make(6)];
    await until(() => both.endpoints().length === 2 && v4.endpoints().length === 1 && v6.endpoints().length === 1);
    expect(ids(both)).toEqual([`http://127.0.0.2:${port}`, `http://[::1]:${port}`]);
    expect(ids(v4)).toEqual([`http://127.0.0.2:${port}`]);
    expect(ids(v6)).toEqual([`http://[::1]:${port}`]);
    expect(new Set(await bodies(both, 4))).toEqual(new Set(['127.0.0.2', '::1']));
  });

  it('NXDOMAIN after a good set is reported and the last set kept, until the name is back', async () => {
    const port = await freePort();
    await backends(port, '127.0.0.2');
    const server = await dns({ hosts: { 'gone.internal': ['127.0.0.2'] } }, 0);
    const client = track(createClient({ name: 'gone', discovery: dnsDiscovery({ name: 'gone.internal', port, family: 4, servers: [server.server], minInterval: 100, backoff: { min: 100, max: 200 } }) }));
    const errors: DiscoveryErrorEvent[] = [];
    client.on('discoveryError', (e) => errors.push(e));
    await until(() => client.endpoints().length === 1);
    await server.setHosts({});
    await until(() => errors.length >= 2, 3_000);
    expect(errors[0]!.error).toMatchObject({ name: 'DnsNoRecordsError', code: 'ENOTFOUND', hostname: 'gone.internal' });
    expect(ids(client)).toEqual([`http://127.0.0.2:${port}`]);
    expect(await bodies(client, 1)).toEqual(['127.0.0.2']);
    await server.setHosts({ 'gone.internal': ['127.0.0.2'] });
    // Once dnsmasq has re-read the file (it may take longer than setHosts waits).
    const probe = new Resolver({ timeout: 200, tries: 1 });
    probe.setServers([server.server]);
    await until(() => probe.resolve4('gone.internal').then(() => true, () => false), 3_000);
    const seen = errors.length;
    await sleep(600);
    expect(errors.length - seen).toBeLessThanOrEqual(1); // at most one failure in flight when the name came back
    expect(ids(client)).toEqual([`http://127.0.0.2:${port}`]);
  });

  it('SRV: priorities become levels, weights weights; a zero port and a target without address are dropped with events', async () => {
    const port = await freePort();
    const b = await backends(port, '127.0.0.2', '127.0.0.3', '127.0.0.4');
    const svc = '_http._tcp.svc.internal';
    const server = await dns({
      hosts: { 'a.internal': ['127.0.0.2'], 'b.internal': ['127.0.0.3'], 'c.internal': ['127.0.0.4'], 'zero.internal': ['127.0.0.5'] },
      srv: [`${svc},a.internal,${port},10,30`, `${svc},b.internal,${port},10,10`, `${svc},c.internal,${port},20,0`, `${svc},zero.internal,0,10,5`, `${svc},missing.internal,${port},10,5`],
    }, 1);
    const client = track(createClient({
      name: 'svc', picker: weightedRoundRobin(), health: {},
      discovery: dnsDiscovery({ srv: svc, servers: [server.server], interval: 200, minInterval: 100 }),
    }));
    const rejected: EndpointRejectedEvent[] = [];
    client.on('endpointRejected', (e) => rejected.push(e));
    await until(() => client.endpoints().length === 3);
    const view = client.endpoints().map((e) => ({ host: e.host, priority: e.priority, weight: e.weight, hostname: e.metadata.hostname, srv: e.metadata.srv }));
    expect(view).toEqual([
      { host: '127.0.0.2', priority: 0, weight: 30, hostname: 'a.internal', srv: svc },
      { host: '127.0.0.3', priority: 0, weight: 10, hostname: 'b.internal', srv: svc },
      { host: '127.0.0.4', priority: 1, weight: 1, hostname: 'c.internal', srv: svc }, // SRV weight 0, alone at its priority
    ]);
    // Several refreshes later each bad record has been reported once.
    const srvQueries = await server.queries(svc);
    await sleep(700);
    expect(await server.queries(svc)).toBeGreaterThan(srvQueries + 1);
    expect(rejected.map((e) => e.reason).sort()).toEqual([
      'SRV port 0 is not a usable port (1–65535)',
      'SRV target has no A or AAAA records (ENOTFOUND)',
    ]);
    expect(rejected.map((e) => e.entry).join(' ')).toMatch(/zero\.internal.*missing\.internal|missing\.internal.*zero\.internal/);

    // Calls stay on priority 0, shared 30:10.
    await bodies(client, 40);
    expect(b['127.0.0.4']!.hits).toBe(0);
    expect(b['127.0.0.2']!.hits).toBe(30);
    expect(b['127.0.0.3']!.hits).toBe(10);

    // New SRV records (dnsmasq restarted with them): followed within the interval.
    await server.stop();
    // A target written as an address (against RFC 2782) is taken as it is.
    await server.start({ srv: [`${svc},c.internal,${port},1,1`, `${svc},b.internal,${port},7,1`, `${svc},127.0.0.2,${port},9,1`] });
    await until(() => client.endpoints().length === 3 && client.endpoints()[0]!.host === '127.0.0.4', 3_000);
    expect(client.endpoints().map((e) => [e.host, e.priority, e.metadata.hostname])).toEqual([['127.0.0.4', 0, 'c.internal'], ['127.0.0.3', 1, 'b.internal'], ['127.0.0.2', 2, '127.0.0.2']]);
    expect(new Set(await bodies(client, 4))).toEqual(new Set(['127.0.0.4']));
  });

  it('refreshes at the TTL, clamped to minInterval and maxInterval', async () => {
    const port = await freePort();
    const server = await dns({
      hosts: { 'one.internal': ['127.0.0.2'] }, // TTL 1 s (--local-ttl)
      args: ['--host-record=zero.internal,127.0.0.2,0', '--host-record=long.internal,127.0.0.2,3600'],
    }, 1);
    const make = (name: string, minInterval: number, maxInterval: number): Client =>
      track(createClient({ name, discovery: dnsDiscovery({ name, port, family: 4, servers: [server.server], minInterval, maxInterval }) }));
    const clients = [make('one.internal', 100, 30_000), make('zero.internal', 500, 30_000), make('long.internal', 100, 700)];
    await until(() => clients.every((c) => c.endpoints().length === 1));
    const start = await Promise.all(['one.internal', 'zero.internal', 'long.internal'].map((n) => server.queries(n)));
    await sleep(3_000);
    const [one, zero, long] = (await Promise.all(['one.internal', 'zero.internal', 'long.internal'].map((n) => server.queries(n)))).map((n, i) => n - start[i]!);
    // TTL 1 s: about 3 in 3 s. TTL 0 with minInterval 0.5 s: about 6. TTL 3600 with maxInterval 0.7 s: about 4.
    expect(one).toBeGreaterThanOrEqual(2);
    expect(one).toBeLessThanOrEqual(4);
    expect(zero).toBeGreaterThanOrEqual(4);
    expect(zero).toBeLessThanOrEqual(7);
    expect(long).toBeGreaterThanOrEqual(3);
    expect(long).toBeLessThanOrEqual(5);
  });

  it('close() stops the refreshes and cancels a query in flight: nothing reaches dnsmasq afterwards', async () => {
    const port = await freePort();
    const server = await dns({ hosts: { 'api.internal': ['127.0.0.2'] } }, 0);
    const client = createClient({ name: 'api', discovery: dnsDiscovery({ name: 'api.internal', port, servers: [server.server], minInterval: 100 }) });
    await until(() => client.endpoints().length === 1);
    await sleep(300);
    expect(await server.queries()).toBeGreaterThan(2);
    await client.close();
    // A query sent just before close() may still be on its way to dnsmasq's log: let it land.
    await sleep(200);
    const after = await server.queries();
    await sleep(600);
    expect(await server.queries()).toBe(after);

    // A query dnsmasq never answers (it is stopped with SIGSTOP): close() cancels it at once,
    // long before its 20 s timeout.
    server.pause();
    const stuck = createClient({ name: 'stuck', discovery: dnsDiscovery({ name: 'api.internal', port, servers: [server.server], timeout: 20_000, tries: 1 }) });
    const errors: unknown[] = [];
    stuck.on('discoveryError', (e) => errors.push(e.error));
    await sleep(200);
    const t0 = performance.now();
    await stuck.close();
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(errors).toEqual([]);
    server.resume();
    await sleep(300);
    const settled = await server.queries();
    await sleep(600);
    expect(await server.queries()).toBe(settled);
  });
});
