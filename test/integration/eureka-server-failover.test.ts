// Several Eureka servers in `url` (README, "Eureka"; src/eureka/servers.ts): requests go to the
// server that answered last and move on to the next on a network error or a 5xx, as Eureka's
// RetryableEurekaHttpClient does; a 4xx is an answer; when every server fails, one error names
// each. Against two local Eureka stand-ins (test/helpers/eureka-server.ts), which, unlike real
// peers, do not replicate to each other: which one a request reached shows in its registry.
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient, NoEndpointsError, type Client, type DiscoveryErrorEvent } from '../../src/index.js';
import { eurekaDiscovery, eurekaRegistration, EurekaError, type EurekaDiscoveryOptions } from '../../src/eureka/index.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';
import { eurekaInstance, startEurekaServer, type EurekaServer } from '../helpers/eureka-server.js';
import { thrownConfigError } from '../helpers/config-client.js';

const { track, defer } = closeAfterEach();

async function peers(): Promise<[EurekaServer, EurekaServer]> {
  const [a, b] = await Promise.all([startEurekaServer(), startEurekaServer()]);
  defer(() => a.close());
  defer(() => b.close());
  return [a, b];
}

function watch(url: EurekaDiscoveryOptions['url'], options: Partial<EurekaDiscoveryOptions> = {}): { client: Client; errors: EurekaError[]; urls(): string[] } {
  const client = track(createClient({ name: 'orders', discovery: eurekaDiscovery({ url, app: 'orders', interval: 20, backoff: { min: 20, max: 40 }, ...options }) }));
  const errors: EurekaError[] = [];
  client.on('discoveryError', (e: DiscoveryErrorEvent) => errors.push(e.error as EurekaError));
  return { client, errors, urls: () => client.endpoints().map((e) => e.url).sort() };
}

const gets = (s: EurekaServer): number => s.requests.filter((r) => r.method === 'GET').length;

describe('eurekaDiscovery with several servers', () => {
  it('a 5xx moves on to the next server, which is then kept until it fails; no discoveryError while one answers', async () => {
    const [a, b] = await peers();
    a.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8080));
    b.put('ORDERS', eurekaInstance('o-2', '10.0.0.2', 8080));
    a.override({ status: 503, body: 'maintenance' });
    const w = watch([a.url, b.url]);
    await until(() => w.urls().length === 1);
    expect(w.urls()).toEqual(['http://10.0.0.2:8080']);
    // a is back, but b answers: b stays the server asked.
    a.override(undefined);
    const asked = gets(a);
    const before = gets(b);
    await until(() => gets(b) >= before + 3);
    expect(gets(a)).toBe(asked);
    expect(w.errors).toEqual([]);
    // b goes down: the next refresh moves on (round the list) to a.
    await b.stop();
    await until(() => w.urls().includes('http://10.0.0.1:8080'));
    expect(w.urls()).toEqual(['http://10.0.0.1:8080']);
    expect(w.errors).toEqual([]);
  });

  it('a 4xx is an answer: reported with its status and server, and no other server is asked', async () => {
    const [a, b] = await peers();
    b.put('ORDERS', eurekaInstance('o-2', '10.0.0.2', 8080));
    a.override({ status: 401, body: 'who are you?' });
    const w = watch(`${a.url},${b.url}`);
    await until(() => w.errors.length >= 2);
    expect(w.errors[0]!.status).toBe(401);
    expect(w.errors[0]!.message).toContain(`Eureka at ${a.url} answered GET /apps/ORDERS with 401`);
    expect(b.requests).toEqual([]);
    expect(w.urls()).toEqual([]);
  });

  it('every server down: one discoveryError names each server and what failed; the calls then say discovery failed', async () => {
    const [a, b] = await peers();
    a.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8080));
    await a.stop();
    b.override({ status: 503, body: 'busy' });
    const w = watch([a.url, b.url]);
    await until(() => w.errors.length >= 1);
    const error = w.errors[0]!;
    expect(error).toBeInstanceOf(EurekaError);
    expect(error.message).toMatch(/^ORDERS: none of the 2 Eureka servers answered GET \/apps\/ORDERS: /);
    expect(error.message).toContain(`GET ${a.url}/apps/ORDERS failed`);
    expect(error.message).toContain(`Eureka at ${b.url} answered GET /apps/ORDERS with 503: busy`);
    expect(error.status).toBeUndefined(); // one server gave no status at all
    expect((error.cause as AggregateError).errors).toHaveLength(2);
    const call = await w.client.fetch('/').catch((err: unknown) => err);
    expect(call).toBeInstanceOf(NoEndpointsError);
    expect((call as NoEndpointsError).cause).toBeInstanceOf(EurekaError);
    // The next round starts from the first server again: a is back, and answers.
    await a.start();
    await until(() => w.urls().length === 1);
    expect(w.urls()).toEqual(['http://10.0.0.1:8080']);
  });

  it('every server answering the same 5xx: the error carries that status', async () => {
    const [a, b] = await peers();
    a.override({ status: 503, body: 'busy' });
    b.override({ status: 503, body: 'busy' });
    const w = watch([a.url, b.url]);
    await until(() => w.errors.length >= 1);
    expect(w.errors[0]!.status).toBe(503);
  });

  it('with delta: the server that answers after a failover is read whole, not by its deltas', async () => {
    const [a, b] = await peers();
    for (const s of [a, b]) {
      s.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8080));
      s.put('BILLING', eurekaInstance('b-1', '10.0.1.1', 9090));
    }
    const w = watch([a.url, b.url], { delta: true });
    await until(() => w.urls().length === 1 && a.requests.some((r) => r.path === '/eureka/apps/delta'));
    // b holds a newer registry (same counts per status) whose change is no longer among its deltas.
    b.remove('ORDERS', 'o-1');
    b.put('ORDERS', eurekaInstance('o-2', '10.0.0.2', 8080));
    b.clearDeltas();
    await a.stop();
    await until(() => w.urls().includes('http://10.0.0.2:8080'));
    expect(w.urls()).toEqual(['http://10.0.0.2:8080']);
    expect(b.requests.map((r) => r.path).slice(0, 2)).toEqual(['/eureka/apps/delta', '/eureka/apps']);
  });
});

describe('eurekaRegistration with several servers', () => {
  it('registers with the next server when the first is down, heartbeats there, and moves on (registering again) when that one fails', async () => {
    const [a, b] = await peers();
    await a.stop();
    const errors: unknown[] = [];
    const reg = eurekaRegistration({
      url: `${a.url},${b.url}`, app: 'orders', heartbeatInterval: 30, backoff: { min: 20, max: 40 }, onError: (e) => errors.push(e),
      instance: { hostName: 'orders-1.local', ipAddr: '127.0.0.1', port: 8080 },
    });
    defer(() => reg.stop());
    await reg.registered;
    expect(b.instances('ORDERS').map((i) => i.instanceId)).toEqual([reg.instanceId]);
    await until(() => b.requests.filter((r) => r.method === 'PUT').length >= 2);
    expect(errors).toEqual([]); // a failover that reached a server is no failure
    // b goes down and a comes back: a heartbeat reaches a, which does not know the instance (404).
    await a.start();
    await b.stop();
    await until(() => a.instances('ORDERS').length === 1);
    expect(String(errors[0])).toMatch(/no longer knows instance/);
    await until(() => a.requests.some((r) => r.method === 'PUT'));
    await reg.stop();
    expect(a.instances('ORDERS')).toEqual([]);
    expect(a.requests.at(-1)!.method).toBe('DELETE');
  });
});

describe('the url option as a list', () => {
  it('takes an array or a comma-separated string, in both functions', () => {
    const instance = { hostName: 'orders-1', ipAddr: '127.0.0.1', port: 8080 };
    expect(() => eurekaDiscovery({ url: ['http://peer1:8761/eureka', 'http://peer2:8761/eureka/'], app: 'a' })).not.toThrow();
    expect(() => eurekaDiscovery({ url: 'http://peer1:8761/eureka, http://peer2:8761/eureka', app: 'a' })).not.toThrow();
    void eurekaRegistration({ url: ['http://127.0.0.1:1/eureka', 'http://127.0.0.2:1/eureka'], app: 'a', instance }).stop();
    const err = thrownConfigError(() => eurekaRegistration({ url: 'http://127.0.0.1:1/eureka,ftp://x', app: 'a', instance }));
    expect(err.path).toBe('url[1]');
  });

  it('refuses a bad server with a ConfigError naming which, credentials not shown', () => {
    const err = thrownConfigError(() => eurekaDiscovery({ url: 'http://peer1/eureka,http://admin:hunter2@peer2/eureka', app: 'a' }));
    expect(err.path).toBe('url[1]');
    expect(err.message).toMatch(/server 2 of the 2 in url/);
    expect(`${err.message} ${String(err.value)}`).not.toContain('hunter2');
    expect(thrownConfigError(() => eurekaDiscovery({ url: ['http://peer1/eureka', 42 as unknown as string], app: 'a' })).path).toBe('url[1]');
    expect(thrownConfigError(() => eurekaDiscovery({ url: 'http://peer1/eureka,', app: 'a' })).path).toBe('url[1]');
    expect(thrownConfigError(() => eurekaDiscovery({ url: [], app: 'a' })).path).toBe('url');
    expect(thrownConfigError(() => eurekaDiscovery({ url: 'http://u:hunter2@peer1/eureka', app: 'a' })).path).toBe('url');
    expect(() => eurekaDiscovery({ url: ['http://peer1/eureka?zone=1'], app: 'a' })).toThrow(ConfigError);
  });
});

it('a list of one server behaves as that server alone: its own error, with its status', async () => {
  const [a] = await peers();
  const w = watch([a.url]);
  await until(() => w.errors.length >= 1);
  expect(w.errors[0]!.status).toBe(404);
  expect(w.errors[0]!.message).toBe(`ORDERS: Eureka at ${a.url} does not know the application ORDERS (GET /apps/ORDERS answered 404)`);
});
