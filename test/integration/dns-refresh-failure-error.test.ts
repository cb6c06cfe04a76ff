// What broke: a DNS refresh that failed on the network reached `discoveryError` as node:dns's raw
// error (no `service`; for an SRV target, only the target's name). Now a DnsError.
// README, "Errors": "Every error bulwark raises for a call, a discovery update or an adapter
// extends BulwarkError ... and carries a stable `code`, the `service` (... for an adapter's own
// errors, what it watches)". The adapters table lists DnsNoRecordsError with `service` and
// `hostname`. consulDiscovery and eurekaDiscovery wrap a network failure in their own error; a
// DNS refresh that fails on the network (server down, REFUSED, timeout) is reported as node:dns's
// raw error instead: not a BulwarkError, no `service`, and for an SRV target only the target's name.
import { expect, it } from 'vitest';
import { BulwarkError, createClient, DnsError, dnsDiscovery, type DiscoveryErrorEvent } from '../../src/index.js';
import { describeWith, freePort } from '../helpers/binaries.js';
import { dnsmasqPerTest } from '../helpers/dnsmasq.js';
import { until } from '../helpers/lifecycle.js';

const { binary: dnsmasq, dns, track } = dnsmasqPerTest();

describeWith(dnsmasq, 'dnsDiscovery: the error a failed refresh is reported with', () => {
  it('a refresh that fails because the DNS server went away is reported as a BulwarkError whose service is the name watched', async () => {
    const port = await freePort();
    const server = await dns({ hosts: { 'api.internal': ['127.0.0.2'] } });
    const client = track(createClient({
      name: 'api',
      discovery: dnsDiscovery({ name: 'api.internal', port, family: 4, servers: [server.server], minInterval: 100, timeout: 300, tries: 1, backoff: { min: 100, max: 200 } }),
    }));
    const errors: DiscoveryErrorEvent[] = [];
    client.on('discoveryError', (e) => errors.push(e));
    await until(() => client.endpoints().length === 1, 3_000);
    await server.stop();
    await until(() => errors.length >= 1, 5_000);
    const error = errors[0]!.error as { code?: unknown; service?: unknown };
    expect(client.endpoints()).toHaveLength(1); // the last good set stays (fine)
    expect(error).toBeInstanceOf(BulwarkError);
    expect(error).toBeInstanceOf(DnsError);
    expect(error.service).toBe('api.internal');
    expect((error as DnsError).hostname).toBe('api.internal');
    expect((error as DnsError).cause).toMatchObject({ code: error.code });
  });

  it('an SRV refresh that fails on a target lookup names the SRV name watched, not only the target', async () => {
    const port = await freePort();
    const svc = '_http._tcp.svc.internal';
    // dnsmasq answers for *.internal only: a target outside it is REFUSED (a lookup failure, not NXDOMAIN).
    const server = await dns({ hosts: { 'a.internal': ['127.0.0.2'] }, srv: [`${svc},a.internal,${port},10,10`, `${svc},b.example,${port},10,10`] });
    const client = track(createClient({ name: 'svc', discovery: dnsDiscovery({ srv: svc, family: 4, servers: [server.server], tries: 1, backoff: { min: 100, max: 200 } }) }));
    const errors: DiscoveryErrorEvent[] = [];
    client.on('discoveryError', (e) => errors.push(e));
    await until(() => errors.length >= 1, 5_000);
    const error = errors[0]!.error as Error & { service?: unknown; code?: unknown };
    // node:dns's own code for the failed target query (dnsmasq refuses names outside its zone).
    expect(error.code).toMatch(/^E[A-Z]+$/);
    expect((error as DnsError).cause).toMatchObject({ code: error.code });
    expect(error).toBeInstanceOf(BulwarkError);
    expect(error.service).toBe(svc);
    expect(error.message).toContain(svc);
    expect((error as DnsError).hostname).toBe('b.example');
  });
});
