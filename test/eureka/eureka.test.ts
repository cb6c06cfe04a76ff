// eurekaDiscovery and eurekaRegistration against a local server that speaks Eureka's documented
// REST API and JSON (test/helpers/eureka-server.ts): no Eureka server can be installed here.
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient, type Client, type DiscoveryErrorEvent, type EndpointRejectedEvent } from '../../src/index.js';
import { eurekaDiscovery, eurekaRegistration, EurekaError, type EurekaDiscoveryOptions } from '../../src/eureka/index.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { eurekaInstance, startEurekaServer, type EurekaServer } from '../helpers/eureka-server.js';

const { track, defer } = closeAfterEach();

async function eureka(options: { leaseMs?: number; evictionMs?: number } = {}): Promise<EurekaServer> {
  const server = await startEurekaServer(options);
  defer(() => server.close());
  return server;
}

interface Watched {
  client: Client;
  errors: unknown[];
  rejected: EndpointRejectedEvent[];
  urls(): string[];
}

function watch(server: EurekaServer, options: Partial<EurekaDiscoveryOptions> = {}): Watched {
  const client = track(createClient({ name: 'orders', discovery: eurekaDiscovery({ url: server.url, app: 'orders', interval: 20, backoff: { min: 20, max: 100 }, ...options }) }));
  const errors: unknown[] = [];
  const rejected: EndpointRejectedEvent[] = [];
  client.on('discoveryError', (e: DiscoveryErrorEvent) => errors.push(e.error));
  client.on('endpointRejected', (e) => rejected.push(e));
  return { client, errors, rejected, urls: () => client.endpoints().map((e) => e.url).sort() };
}

const secure = (port: number, enabled = 'true'): Record<string, unknown> => ({ securePort: { $: port, '@enabled': enabled } });

describe('eurekaDiscovery', () => {
  it('keeps UP instances only, and maps ipAddr, port, metadata and zone', async () => {
    const server = await eureka();
    server.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8080, { metadata: { '@class': 'java.util.LinkedHashMap', zone: 'eu-1a', version: '3' } }));
    server.put('ORDERS', eurekaInstance('o-2', '10.0.0.2', 8080, { dataCenterInfo: { '@class': 'com.netflix.appinfo.AmazonInfo', name: 'Amazon', metadata: { 'availability-zone': 'us-east-1b' } } }));
    for (const status of ['DOWN', 'STARTING', 'OUT_OF_SERVICE', 'UNKNOWN']) server.put('ORDERS', eurekaInstance(`o-${status}`, '10.0.0.9', 8080, { status }));
    server.put('BILLING', eurekaInstance('b-1', '10.0.1.1', 9090));
    const w = watch(server);
    await until(() => w.urls().length === 2);
    expect(w.urls()).toEqual(['http://10.0.0.1:8080', 'http://10.0.0.2:8080']);
    const [a, b] = [...w.client.endpoints()].sort((x, y) => x.host.localeCompare(y.host));
    expect(a!.zone).toBe('eu-1a');
    expect(a!.metadata).toEqual({ zone: 'eu-1a', version: '3', 'eureka.instanceId': 'o-1', 'eureka.app': 'ORDERS', 'eureka.hostName': 'o-1.local', 'eureka.vipAddress': 'orders' });
    expect(b!.zone).toBe('us-east-1b');
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/eureka/apps/ORDERS' });
    expect(server.requests[0]!.headers.accept).toBe('application/json');
    server.setStatus('ORDERS', 'o-1', 'DOWN');
    await until(() => w.urls().length === 1);
    expect(w.urls()).toEqual(['http://10.0.0.2:8080']);
    expect(w.errors).toEqual([]);
  });

  it('calls the secure port over https when it is enabled, unless told otherwise', async () => {
    const server = await eureka();
    server.put('ORDERS', eurekaInstance('both', '10.0.0.1', 8080, secure(8443)));
    server.put('ORDERS', eurekaInstance('plain', '10.0.0.2', 8080));
    server.put('ORDERS', eurekaInstance('tls', '10.0.0.3', 8080, { port: { $: 8080, '@enabled': 'false' }, ...secure(9443) }));
    const prefer = watch(server);
    const never = watch(server, { secure: 'never' });
    const only = watch(server, { secure: 'only' });
    const byHost = watch(server, { useHostName: true, secure: 'never' });
    await until(() => prefer.urls().length === 3 && never.urls().length === 2 && only.urls().length === 2 && byHost.urls().length === 2);
    expect(prefer.urls()).toEqual(['http://10.0.0.2:8080', 'https://10.0.0.1:8443', 'https://10.0.0.3:9443']);
    expect(never.urls()).toEqual(['http://10.0.0.1:8080', 'http://10.0.0.2:8080']);
    expect(only.urls()).toEqual(['https://10.0.0.1:8443', 'https://10.0.0.3:9443']);
    expect(byHost.urls()).toEqual(['http://both.local:8080', 'http://plain.local:8080']);
  });

  it('with delta: fetches the registry once, then applies deltas, and fetches it again when the hash code disagrees', async () => {
    const server = await eureka();
    server.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8080));
    server.put('BILLING', eurekaInstance('b-1', '10.0.1.1', 9090));
    const w = watch(server, { delta: true });
    await until(() => w.urls().length === 1 && server.requests.length >= 3);
    expect(server.requests.slice(0, 3).map((r) => r.path)).toEqual(['/eureka/apps', '/eureka/apps/delta', '/eureka/apps/delta']);
    server.put('ORDERS', eurekaInstance('o-2', '10.0.0.2', 8080)); // ADDED
    server.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8081)); // MODIFIED: a new port
    server.remove('BILLING', 'b-1'); // DELETED, in another app: counts for the hash code
    await until(() => w.urls().includes('http://10.0.0.2:8080') && w.urls().includes('http://10.0.0.1:8081'));
    expect(w.urls()).toEqual(['http://10.0.0.1:8081', 'http://10.0.0.2:8080']);
    const fulls = (): number => server.requests.filter((r) => r.path === '/eureka/apps').length;
    expect(fulls()).toBe(1);
    // A missed delta: the change is not in the queue any more. The hash code (UP_2_ vs UP_3_)
    // tells the client its copy is wrong, and it fetches the whole registry again.
    server.put('ORDERS', eurekaInstance('o-3', '10.0.0.3', 8080));
    server.clearDeltas();
    await until(() => w.urls().length === 3);
    expect(w.urls()).toContain('http://10.0.0.3:8080');
    expect(fulls()).toBe(2);
    server.setStatus('ORDERS', 'o-2', 'DOWN');
    await until(() => w.urls().length === 2);
    expect(fulls()).toBe(2);
    expect(w.errors).toEqual([]);
  });

  it('with delta on a server that has deltas turned off (403), falls back to fetching the app', async () => {
    const server = await eureka();
    server.deltaDisabled = true;
    server.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8080));
    const w = watch(server, { delta: true });
    await until(() => server.requests.some((r) => r.path === '/eureka/apps/ORDERS'));
    server.put('ORDERS', eurekaInstance('o-2', '10.0.0.2', 8080));
    await until(() => w.urls().length === 2);
    expect(server.requests.slice(0, 3).map((r) => r.path)).toEqual(['/eureka/apps', '/eureka/apps/delta', '/eureka/apps/ORDERS']);
    expect(w.errors).toEqual([]);
  });

  it('reads a one-instance application written as an object (older servers)', async () => {
    const server = await eureka();
    server.singleAsObject = true;
    server.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8080, { port: { $: '8080', '@enabled': true } }));
    const full = watch(server);
    const delta = watch(server, { delta: true });
    await until(() => full.urls().length === 1 && delta.urls().length === 1);
    expect(full.urls()).toEqual(['http://10.0.0.1:8080']);
    expect(delta.urls()).toEqual(['http://10.0.0.1:8080']);
  });

  it('drops instances with invalid ports, hosts or keys with endpointRejected, once, and keeps the rest', async () => {
    const server = await eureka();
    server.put('ORDERS', eurekaInstance('ok', '10.0.0.1', 8080));
    server.put('ORDERS', eurekaInstance('zero', '10.0.0.2', 0));
    server.put('ORDERS', eurekaInstance('big', '10.0.0.3', 70_000));
    server.put('ORDERS', eurekaInstance('text', '10.0.0.4', 1, { port: { $: 'http', '@enabled': 'true' } }));
    server.put('ORDERS', eurekaInstance('sec', '10.0.0.5', 8080, secure(-1)));
    server.put('ORDERS', eurekaInstance('host', 'bad host', 8080));
    server.put('ORDERS', eurekaInstance('nostatus', '10.0.0.6', 8080, { status: undefined }));
    server.put('ORDERS', eurekaInstance('proto', '10.0.0.7', 8080, { metadata: JSON.parse('{"__proto__": {"polluted": "yes"}}') }));
    const w = watch(server);
    await until(() => w.rejected.length === 7);
    await sleep(100); // several refreshes: the same bad instances are reported once, not every time
    expect(w.rejected).toHaveLength(7);
    expect(w.urls()).toEqual(['http://10.0.0.1:8080']);
    const reasons = w.rejected.map((r) => r.reason).join('\n');
    expect(reasons).toMatch(/"port" must be an integer from 1 to 65535, got 70000/);
    expect(reasons).toMatch(/"securePort" must be an integer/);
    expect(reasons).toMatch(/ipAddr must be a host name/);
    expect(reasons).toMatch(/forbidden key "__proto__"/);
    expect(w.rejected.find((r) => r.reason.includes('70000'))!.entry).toContain('"instanceId":"big"');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(w.errors).toEqual([]);
  });

  it('reports a rejected instance once while it stays the same, whatever the others do, and again when it comes back', async () => {
    const server = await eureka();
    server.put('ORDERS', eurekaInstance('ok', '10.0.0.1', 8080));
    server.put('ORDERS', eurekaInstance('bad', '10.0.0.2', 0));
    const w = watch(server);
    await until(() => w.rejected.length === 1 && w.urls().length === 1);
    // Another instance comes and changes: each refresh maps the application again.
    server.put('ORDERS', eurekaInstance('ok-2', '10.0.0.3', 8080));
    await until(() => w.urls().length === 2);
    server.setStatus('ORDERS', 'ok-2', 'DOWN');
    await until(() => w.urls().length === 1);
    expect(w.rejected).toHaveLength(1);
    server.remove('ORDERS', 'bad');
    server.setStatus('ORDERS', 'ok-2', 'UP');
    await until(() => w.urls().length === 2);
    server.put('ORDERS', eurekaInstance('bad', '10.0.0.2', 0));
    await until(() => w.rejected.length === 2);
    expect(w.rejected[1]!.entry).toContain('"instanceId":"bad"');
    expect(w.errors).toEqual([]);
  });

  it('with delta: a restarted, empty Eureka (no application at all) is an error that keeps the last set', async () => {
    const server = await eureka();
    server.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8080));
    const w = watch(server, { delta: true });
    await until(() => w.urls().length === 1);
    // The restarted server's registry is empty until instances register again; its delta's hash
    // code disagrees with the copy, so the adapter fetches /apps and finds nothing.
    server.override({ body: JSON.stringify({ applications: { versions__delta: '1', apps__hashcode: '', application: [] } }) });
    await until(() => w.errors.length >= 2 && server.requests.filter((r) => r.path === '/eureka/apps').length >= 3);
    expect(w.urls()).toEqual(['http://10.0.0.1:8080']);
    expect(w.errors[0]).toBeInstanceOf(EurekaError);
    expect(String(w.errors[0])).toMatch(/empty registry/);
    server.override(undefined);
    server.put('ORDERS', eurekaInstance('o-2', '10.0.0.2', 8080));
    await until(() => w.urls().length === 2);
    expect(w.urls()).toEqual(['http://10.0.0.1:8080', 'http://10.0.0.2:8080']);
  });

  it('keeps the last good set while Eureka is down or answers garbage, reports errors, and recovers', async () => {
    const server = await eureka();
    server.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8080));
    const w = watch(server);
    await until(() => w.urls().length === 1);
    await server.stop();
    await until(() => w.errors.length >= 2);
    expect(w.urls()).toEqual(['http://10.0.0.1:8080']);
    expect(w.errors[0]).toBeInstanceOf(EurekaError);
    await server.start();
    for (const body of ['<applications/>', '{"application": 3}', '[]']) {
      const before = w.errors.length;
      server.override({ body });
      await until(() => w.errors.length > before);
      expect(w.urls()).toEqual(['http://10.0.0.1:8080']);
    }
    server.override({ status: 500, body: 'boom' });
    await until(() => (w.errors.at(-1) as EurekaError).status === 500);
    server.override(undefined);
    server.put('ORDERS', eurekaInstance('o-2', '10.0.0.2', 8080));
    await until(() => w.urls().length === 2);
    expect(w.urls()).toEqual(['http://10.0.0.1:8080', 'http://10.0.0.2:8080']);
  });

  it('survives an instance nested too deeply to copy: it is rejected, the others are used, and the loop goes on', async () => {
    const server = await eureka();
    server.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8080));
    const w = watch(server);
    await until(() => w.urls().length === 1);
    // 200 kB of JSON that JSON.parse reads but JSON.stringify (and a reviver) cannot walk.
    const depth = 100_000;
    const good = JSON.stringify(eurekaInstance('o-2', '10.0.0.2', 8080));
    const deep = JSON.stringify(eurekaInstance('o-3', '10.0.0.3', 8080, { metadata: {} })).replace('"metadata":{}', `"metadata":{"x":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    server.override({ body: `{"application":{"name":"ORDERS","instance":[${good},${deep}]}}` });
    await until(() => w.urls().length === 1 && w.urls()[0] === 'http://10.0.0.2:8080');
    await until(() => w.rejected.length === 1);
    expect(w.rejected[0]!.entry).toContain('o-3');
    server.override(undefined);
    server.put('ORDERS', eurekaInstance('o-4', '10.0.0.4', 8080));
    await until(() => w.urls().includes('http://10.0.0.4:8080'));
    expect(w.urls()).toEqual(['http://10.0.0.1:8080', 'http://10.0.0.4:8080']);
  });

  it('refuses a header value with a NUL byte (fetch would quote it in its error) without showing it', () => {
    try {
      eurekaDiscovery({ url: 'http://eureka/eureka', app: 'a', headers: { authorization: 'Basic c2VjcmV0\0' } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect(String(err)).not.toContain('c2VjcmV0');
    }
  });

  it('reports an unknown application (404) as an error, not as an empty service; headers never show', async () => {
    const server = await eureka();
    const w = watch(server, { app: 'nobody', headers: { authorization: 'Basic c2VjcmV0OnBhc3N3b3Jk' } });
    await until(() => w.errors.length >= 1);
    expect((w.errors[0] as EurekaError).status).toBe(404);
    expect(server.requests[0]!.headers.authorization).toBe('Basic c2VjcmV0OnBhc3N3b3Jk');
    server.override({ status: 401, body: 'bad credentials Basic c2VjcmV0OnBhc3N3b3Jk' });
    await until(() => (w.errors.at(-1) as EurekaError).status === 401);
    expect((w.errors.at(-1) as EurekaError).status).toBe(401);
    // Not in any error, nor anywhere down its cause chain (Eureka down: the network error's causes).
    await server.stop();
    const before = w.errors.length;
    await until(() => w.errors.length > before);
    expect(w.errors.length).toBeGreaterThan(before);
    const chain = (e: unknown): string[] => (e instanceof Error ? [String(e), e.stack ?? '', ...chain(e.cause)] : e === undefined ? [] : [String(e)]);
    expect(w.errors.flatMap(chain).join('\n')).not.toContain('c2VjcmV0');
  });

  it('close() stops every refresh: nothing reaches the server afterwards', async () => {
    const server = await eureka();
    server.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8080));
    const w = watch(server, { delta: true });
    await until(() => server.requests.length >= 3);
    await w.client.close();
    const count = server.requests.length;
    await sleep(150);
    expect(server.requests.length).toBe(count);
  });

  it('rejects bad options with a ConfigError', () => {
    expect(() => eurekaDiscovery({ url: 'http://eureka:8761/eureka', app: '' })).toThrow(ConfigError);
    expect(() => eurekaDiscovery({ url: 'http://u:hunter2@eureka/eureka', app: 'a' })).toThrow(/url/);
    expect(() => eurekaDiscovery({ url: 'http://eureka/eureka', app: 'a', secure: 'yes' as 'only' })).toThrow(/secure/);
    expect(() => eurekaDiscovery({ url: 'http://eureka/eureka', app: 'a', interval: 0 })).toThrow(/interval/);
    expect(() => eurekaDiscovery({ url: 'http://eureka/eureka', app: 'a', backoff: { min: 5_000, max: 1_000 } })).toThrow(/eurekaDiscovery: backoff.max must be ≥ backoff.min \(5000\)/);
    expect(() => eurekaDiscovery({ url: 'http://eureka/eureka', app: 'a', maxResponseBytes: 0 })).toThrow(/maxResponseBytes must be a whole number of bytes/);
  });
});

describe('eurekaRegistration', () => {
  it('registers, renews its lease with heartbeats, registers again after a 404, and cancels on stop', async () => {
    const server = await eureka({ leaseMs: 400, evictionMs: 20 });
    const errors: unknown[] = [];
    const reg = eurekaRegistration({
      url: server.url, app: 'orders', heartbeatInterval: 50, backoff: { min: 20, max: 50 }, onError: (e) => errors.push(e),
      instance: { hostName: 'orders-1.local', ipAddr: '127.0.0.1', port: 8080, metadata: { zone: 'eu-1a' } },
    });
    await reg.registered;
    expect(reg.instanceId).toBe('orders-1.local:orders:8080');
    const [registered] = server.instances('ORDERS');
    expect(registered).toMatchObject({ instanceId: reg.instanceId, app: 'ORDERS', ipAddr: '127.0.0.1', status: 'UP', port: { $: 8080, '@enabled': 'true' }, metadata: { zone: 'eu-1a' } });
    // Heartbeats keep it past its 400 ms lease.
    await sleep(700);
    expect(server.instances('ORDERS')).toHaveLength(1);
    const beats = server.requests.filter((r) => r.method === 'PUT' && r.path.startsWith(`/eureka/apps/ORDERS/${encodeURIComponent(reg.instanceId)}?status=UP`));
    expect(beats.length).toBeGreaterThanOrEqual(5);
    // Eureka forgets it (an eviction after a pause, a restarted server): the next heartbeat's 404 re-registers.
    server.remove('ORDERS', reg.instanceId);
    await until(() => server.instances('ORDERS').length === 1);
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
    expect((errors[0] as EurekaError).status).toBe(404);
    // Discovery sees it. Once it deregisters, a watcher of the whole registry (delta) sees the
    // app empty; one fetching /apps/ORDERS gets a 404, which could as well be a wrong URL or a
    // restarted, still empty Eureka: it keeps the last set and reports the 404.
    const w = watch(server);
    const d = watch(server, { delta: true });
    await until(() => w.urls().length === 1 && d.urls().length === 1);
    await reg.stop();
    expect(server.instances('ORDERS')).toEqual([]);
    expect(server.requests.filter((r) => r.method !== 'GET').at(-1)!.method).toBe('DELETE'); // the watchers' GETs go on
    await until(() => d.urls().length === 0 && w.errors.length > 0);
    expect(d.urls()).toEqual([]);
    expect(w.urls()).toEqual(['http://127.0.0.1:8080']);
    expect((w.errors[0] as EurekaError).status).toBe(404);
    const count = server.requests.filter((r) => r.method !== 'GET').length;
    await sleep(150);
    expect(server.requests.filter((r) => r.method !== 'GET').length).toBe(count);
    await reg.stop(); // idempotent
  });

  it("a crashed instance's lease expires: it disappears without a DELETE", async () => {
    const server = await eureka({ leaseMs: 400, evictionMs: 20 });
    server.put('ORDERS', eurekaInstance('crashed', '10.0.0.1', 8080));
    server.put('ORDERS', eurekaInstance('alive', '10.0.0.2', 8080));
    const w = watch(server);
    await until(() => w.urls().length === 2);
    // A heartbeat still in flight when the server closes fails: that is not this test's business.
    const alive = setInterval(() => void fetch(`${server.url}/apps/ORDERS/alive`, { method: 'PUT' }).then((r) => r.arrayBuffer()).catch(() => {}), 30);
    defer(async () => clearInterval(alive));
    await until(() => w.urls().length === 1, 3_000);
    clearInterval(alive);
    expect(w.urls()).toEqual(['http://10.0.0.2:8080']);
  });

  it('an onError that throws does not end the registration: it keeps trying, registers and heartbeats', async () => {
    const server = await eureka();
    await server.stop();
    let calls = 0;
    const reg = eurekaRegistration({
      url: server.url, app: 'orders', heartbeatInterval: 20, backoff: { min: 20, max: 40 },
      onError: () => { calls++; throw new Error('a listener bug'); },
      instance: { hostName: 'h', ipAddr: '127.0.0.1', port: 8080 },
    });
    defer(() => reg.stop());
    await until(() => calls >= 2);
    expect(calls).toBeGreaterThanOrEqual(2);
    await server.start();
    await until(() => server.instances('ORDERS').length === 1);
    expect(server.instances('ORDERS')).toHaveLength(1);
    await reg.registered;
    const heartbeats = (): number => server.requests.filter((r) => r.method === 'PUT').length;
    await until(() => heartbeats() >= 2);
    expect(heartbeats()).toBeGreaterThanOrEqual(2);
  });

  it('keeps trying while Eureka is down, and stop() settles, cancelling what it may have registered', async () => {
    const server = await eureka();
    await server.stop();
    const errors: unknown[] = [];
    const reg = eurekaRegistration({ url: server.url, app: 'orders', backoff: { min: 20, max: 40 }, onError: (e) => errors.push(e), instance: { hostName: 'h', ipAddr: '127.0.0.1', securePort: 8443 } });
    await until(() => errors.length >= 3);
    expect(errors.length).toBeGreaterThanOrEqual(3); // `until` does not throw when it runs out of time
    await reg.stop();
    await expect(reg.registered).rejects.toBeInstanceOf(EurekaError);
    expect(errors.every((e) => e instanceof EurekaError)).toBe(true);
    expect(() => eurekaRegistration({ url: server.url, app: 'orders', instance: { hostName: 'h', ipAddr: '127.0.0.1' } })).toThrow(ConfigError);
  });
});
