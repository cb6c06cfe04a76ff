// What broke (new-user review): with the default `family: 0`, a DNS server that refuses AAAA
// queries (or times out on them) failed every refresh, though the name's A records came back:
// the client never had an endpoint and every call failed with NoEndpointsError. getaddrinfo and
// Envoy's resolver use what answered. Now the refresh uses the family that answered, keeps the
// failed family's addresses of the last good answer (a passing failure drops no endpoint), and
// reports the failure as a discoveryError saying so.
import { expect, it } from 'vitest';
import { ConsecutiveBreaker, createClient, DnsError, dnsDiscovery, NoEndpointsError, type DiscoveryErrorEvent } from '../../src/index.js';
import { describeWith } from '../helpers/binaries.js';
import { dnsmasqPerTest } from '../helpers/dnsmasq.js';
import { until } from '../helpers/lifecycle.js';
import { ok, startServer, status } from '../helpers/servers.js';

const { binary: dnsmasq, dns, track, defer } = dnsmasqPerTest();

describeWith(dnsmasq, 'dnsDiscovery with family 0, when one family\'s query fails', () => {
  it('a server that refuses AAAA queries still yields the A records: calls succeed, and the refusal is reported', async () => {
    const backend = await startServer(ok());
    defer(() => backend.close());
    // dnsmasq answers names outside *.internal from its hosts file, and refuses (no upstream) what it does not hold: here AAAA.
    const server = await dns({ hosts: { 'v4only.test': ['127.0.0.1'] } });
    const client = track(createClient({
      name: 'v4only',
      discovery: dnsDiscovery({ name: 'v4only.test', port: backend.port, servers: [server.server], tries: 1, timeout: 500 }),
    }));
    const errors: DiscoveryErrorEvent[] = [];
    client.on('discoveryError', (e) => errors.push(e));
    const res = await client.fetch('/');
    expect(res.status).toBe(200);
    expect(client.endpoints().map((e) => e.host)).toEqual(['127.0.0.1']);
    await until(() => errors.length >= 1, 3_000);
    const error = errors[0]!.error as DnsError;
    expect(error).toBeInstanceOf(DnsError);
    expect(error.code).toBe('EREFUSED');
    expect(error.hostname).toBe('v4only.test');
    expect(error.message).toContain('AAAA query for v4only.test failed (EREFUSED); this refresh uses the A records');
    expect(error.message).toContain('set family: 4');
  });

  it('an AAAA query that fails after a good answer keeps the AAAA addresses that answer had, while the A records follow DNS', async () => {
    const server = await dns({ hosts: { 'dual.test': ['127.0.0.2', '::2'] } });
    const client = track(createClient({
      name: 'dual',
      discovery: dnsDiscovery({ name: 'dual.test', port: 8080, servers: [server.server], minInterval: 100, maxInterval: 200, tries: 1, timeout: 500 }),
    }));
    const errors: DiscoveryErrorEvent[] = [];
    client.on('discoveryError', (e) => errors.push(e));
    const hosts = (): string[] => client.endpoints().map((e) => e.host).sort();
    await until(() => hosts().length === 2, 3_000);
    expect(hosts()).toEqual(['127.0.0.2', '::2']);
    expect(errors).toEqual([]);
    // The AAAA record goes from the hosts file: dnsmasq now refuses the AAAA query (a failure, not "no records").
    await server.setHosts({ 'dual.test': ['127.0.0.3'] });
    await until(() => hosts().includes('127.0.0.3'), 3_000);
    expect(hosts()).toEqual(['127.0.0.3', '::2']);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect((errors[0]!.error as Error).message).toContain('AAAA query for dual.test failed (EREFUSED); this refresh uses the A records and the 1 AAAA address of the last good answer');
  });

  it('when both families fail, the refresh fails: the last set stays', async () => {
    const server = await dns({ hosts: { 'gone.test': ['127.0.0.4'] } });
    const client = track(createClient({
      name: 'gone',
      discovery: dnsDiscovery({ name: 'gone.test', port: 8080, servers: [server.server], minInterval: 100, maxInterval: 200, tries: 1, timeout: 500, backoff: { min: 100, max: 200 } }),
    }));
    const errors: DiscoveryErrorEvent[] = [];
    client.on('discoveryError', (e) => errors.push(e));
    await until(() => client.endpoints().length === 1, 3_000);
    // Neither family is held now: dnsmasq refuses both queries, and nothing is learned.
    await server.setHosts({});
    const before = errors.length;
    await until(() => errors.length >= before + 2, 3_000);
    expect(client.endpoints().map((e) => e.host)).toEqual(['127.0.0.4']);
    expect((errors.at(-1)!.error as Error).message).not.toContain('this refresh uses');
  });

  it('a refresh that went on without AAAA is no failed refresh: a later NoEndpointsError (every endpoint ejected) does not name it as its cause', async () => {
    // What broke (diff review): the half failure was kept as the client's last discovery error.
    const backend = await startServer(status(503));
    defer(() => backend.close());
    const server = await dns({ hosts: { 'v4only.test': ['127.0.0.1'] } });
    const client = track(createClient({
      name: 'svc',
      retry: { attempts: 1 },
      health: { breaker: () => new ConsecutiveBreaker(1), panicThreshold: 0, maxEjectionPercent: 100 },
      discovery: dnsDiscovery({ name: 'v4only.test', port: backend.port, servers: [server.server], tries: 1, timeout: 500 }),
    }));
    const errors: DiscoveryErrorEvent[] = [];
    client.on('discoveryError', (e) => errors.push(e));
    await until(() => client.endpoints().length === 1 && errors.length >= 1, 3_000);
    expect((await client.fetch('/')).status).toBe(503); // ejects the only endpoint
    const err = await client.fetch('/').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoEndpointsError);
    expect((err as NoEndpointsError).cause).toBeUndefined();
    expect((err as NoEndpointsError).message).toBe('svc: no endpoints available');
  });
});
