// consulDiscovery against a local server that speaks Consul's documented health API and
// blocking queries (test/helpers/consul-server.ts): no Consul binary can be installed here.
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient, type Client, type DiscoveryErrorEvent, type EndpointRejectedEvent } from '../../src/index.js';
import { consulDiscovery, ConsulError, type ConsulDiscoveryOptions } from '../../src/consul/index.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { startConsulServer, type ConsulServer } from '../helpers/consul-server.js';
import { stopFunction } from '../helpers/stop-function.js';

const { track, defer } = closeAfterEach();
const TOKEN = 'consul-s3cret-token-4711';

async function consul(options: { token?: string } = {}): Promise<ConsulServer> {
  const server = await startConsulServer(options);
  defer(() => server.close());
  return server;
}

interface Watched {
  client: Client;
  errors: unknown[];
  rejected: EndpointRejectedEvent[];
  ports(): number[];
}

function watch(server: ConsulServer, options: Partial<ConsulDiscoveryOptions> = {}): Watched {
  const discovery = consulDiscovery({ service: 'web', url: server.url, wait: 30_000, backoff: { min: 20, max: 100 }, minInterval: 10, ...options });
  const client = track(createClient({ name: 'web', discovery }));
  const errors: unknown[] = [];
  const rejected: EndpointRejectedEvent[] = [];
  client.on('discoveryError', (e: DiscoveryErrorEvent) => errors.push(e.error));
  client.on('endpointRejected', (e) => rejected.push(e));
  return { client, errors, rejected, ports: () => client.endpoints().map((e) => e.port).sort((a, b) => a - b) };
}

describe('consulDiscovery', () => {
  it('maps address (falling back to the node), port, weights, tags, meta, datacenter and zone', async () => {
    const server = await consul();
    server.register({ id: 'web-1', service: 'web', address: '10.0.0.1', port: 8080, tags: ['v2', 'primary'], meta: { version: '2.1', zone: 'eu-1a' }, weights: { Passing: 5, Warning: 1 } });
    server.register({ id: 'web-2', service: 'web', address: '', nodeAddress: '10.0.0.2', port: 8081, nodeMeta: { zone: 'eu-1b' } });
    server.register({ id: 'db-1', service: 'db', address: '10.0.0.9', port: 5432 });
    const w = watch(server);
    await until(() => w.client.endpoints().length === 2);
    const [a, b] = [...w.client.endpoints()].sort((x, y) => x.port - y.port);
    expect(a).toMatchObject({ host: '10.0.0.1', port: 8080, weight: 5, zone: 'eu-1a', url: 'http://10.0.0.1:8080' });
    expect(a!.metadata).toEqual({ version: '2.1', zone: 'eu-1a', 'consul.tags': 'v2,primary', 'consul.health': 'passing', 'consul.node': 'node-web-1', 'consul.serviceId': 'web-1', 'consul.datacenter': 'dc1' });
    expect(b).toMatchObject({ host: '10.0.0.2', port: 8081, weight: 1, zone: 'eu-1b' });
    expect(w.errors).toEqual([]);
  });

  it('follows a change as soon as Consul reports it, through a blocking query, not after `wait`', async () => {
    const server = await consul();
    server.register({ id: 'web-1', service: 'web', address: '127.0.0.1', port: 8001 });
    const w = watch(server, { wait: 60_000 });
    await until(() => w.ports().length === 1);
    await until(() => server.holding === 1);
    const held = server.requests.at(-1)!;
    expect(held.blocking).toBe(true);
    expect(held.query.get('index')).toBe(String(server.index));
    expect(held.query.get('wait')).toBe('60000ms');
    const before = server.requests.length;
    server.register({ id: 'web-2', service: 'web', address: '127.0.0.1', port: 8002 });
    await until(() => w.ports().length === 2, 5_000);
    expect(w.ports()).toEqual([8001, 8002]);
    // Seen through the held request (far inside its 60 s wait), then one more blocking request.
    expect(server.requests.length - before).toBeLessThanOrEqual(1);
    server.deregister('web-1');
    await until(() => w.ports().length === 1, 5_000);
    expect(w.ports()).toEqual([8002]);
  });

  it('starts over with a non-blocking read when the index goes backwards, and never blocks on an index below 1', async () => {
    const server = await consul();
    server.register({ id: 'web-1', service: 'web', address: '127.0.0.1', port: 8001 });
    const w = watch(server);
    await until(() => server.holding === 1);
    expect(Number(server.index)).toBeGreaterThan(5);
    server.restore(5); // a snapshot restore: held queries answer with index 5
    await until(() => server.requests.length >= 4 && server.holding === 1);
    const asked = server.requests.map((r) => r.query.get('index'));
    // First read, a blocking one at 11, then (after index 5 came back) a fresh read, then blocking at 5.
    expect(asked.slice(0, 4)).toEqual([null, '11', null, '5']);
    // A server answering X-Consul-Index: 0 gets index=1, not a busy loop on 0.
    server.override({ body: '[]', index: '0' });
    server.restore(6);
    await until(() => server.requests.some((r) => r.query.get('index') === '1'));
    expect(server.requests.some((r) => r.query.get('index') === '1')).toBe(true);
    expect(w.errors).toEqual([]);
  });

  it('rate-limits the loop: a server that answers at once with a new index cannot spin it', async () => {
    const server = await consul();
    let n = 100;
    const start = server.requests.length;
    // Every answer carries a higher index, so each response is "a change" and the loop re-asks.
    const w = watch(server, { minInterval: 100 });
    const timer = setInterval(() => server.override({ body: '[]', index: String(n++) }), 1);
    defer(async () => clearInterval(timer));
    await sleep(1_000);
    clearInterval(timer);
    // At most one request per 100 ms (plus the first), however fast the server answers.
    expect(server.requests.length - start).toBeLessThanOrEqual(12);
    expect(server.requests.length - start).toBeGreaterThanOrEqual(2);
    expect(w.errors).toEqual([]);
  });

  it('keeps only passing instances by default; passingOnly: false adds warning ones at their Warning weight; critical never', async () => {
    const server = await consul();
    server.register({ id: 'ok', service: 'web', address: '127.0.0.1', port: 8001, weights: { Passing: 10, Warning: 2 } });
    server.register({ id: 'warn', service: 'web', address: '127.0.0.1', port: 8002, weights: { Passing: 10, Warning: 2 }, checks: ['passing', 'warning'] });
    server.register({ id: 'crit', service: 'web', address: '127.0.0.1', port: 8003, checks: ['passing', 'critical'] });
    server.register({ id: 'maint', service: 'web', address: '127.0.0.1', port: 8004, checks: ['maintenance', 'passing'] });
    const strict = watch(server);
    const lenient = watch(server, { passingOnly: false });
    await until(() => strict.ports().length === 1 && lenient.ports().length === 2);
    expect(strict.ports()).toEqual([8001]);
    expect(server.requests.filter((r) => r.query.get('passing') === 'true').length).toBeGreaterThan(0);
    expect(lenient.client.endpoints().map((e) => [e.port, e.weight, e.metadata['consul.health']]).sort()).toEqual([[8001, 10, 'passing'], [8002, 2, 'warning']]);
    server.setChecks('warn', ['passing', 'critical']);
    await until(() => lenient.ports().length === 1);
    expect(lenient.ports()).toEqual([8001]);
  });

  it('asks for the datacenter and tags, and keeps only instances carrying every tag', async () => {
    const server = await consul();
    server.register({ id: 'a', service: 'web', address: '127.0.0.1', port: 8001, tags: ['Primary', 'v2'] });
    server.register({ id: 'b', service: 'web', address: '127.0.0.1', port: 8002, tags: ['v2'] });
    const w = watch(server, { datacenter: 'dc1', tags: ['primary', 'v2'] });
    await until(() => w.ports().length === 1);
    expect(w.ports()).toEqual([8001]);
    const first = server.requests[0]!;
    expect(first.query.get('dc')).toBe('dc1');
    expect(first.query.getAll('tag')).toEqual(['primary', 'v2']);
    const other = watch(server, { datacenter: 'dc9' });
    await until(() => other.errors.length > 0);
    expect(other.errors[0]).toBeInstanceOf(ConsulError);
    expect((other.errors[0] as ConsulError).status).toBe(500);
  });

  it('sends the token in X-Consul-Token only, and never shows it in an event, an error or a URL', async () => {
    const server = await consul({ token: TOKEN });
    server.register({ id: 'a', service: 'web', address: '127.0.0.1', port: 8001 });
    server.register({ id: 'bad', service: 'web', address: '127.0.0.1', port: 0 });
    const good = watch(server, { token: TOKEN });
    await until(() => good.ports().length === 1 && good.rejected.length === 1);
    expect(server.requests.every((r) => r.token === TOKEN && !r.query.toString().includes(TOKEN))).toBe(true);
    const wrong = watch(server, { token: `${TOKEN}-old` });
    await until(() => wrong.errors.length >= 2);
    expect((wrong.errors[0] as ConsulError).status).toBe(403);
    expect(String(wrong.errors[0])).toContain('ACL not found');
    const none = watch(server);
    await until(() => none.errors.length >= 1);
    expect(String(none.errors[0])).toContain('Filtered-By-ACLs');
    expect(none.client.endpoints()).toEqual([]);
    // The URL of an unreachable agent shows in errors; the token must not.
    await server.stop();
    await until(() => good.errors.length >= 1);
    // Every error and its whole cause chain (the network error's causes included).
    const chain = (e: unknown): string[] => (e instanceof Error ? [String(e), e.stack ?? '', ...chain(e.cause)] : e === undefined ? [] : [String(e)]);
    const seen = JSON.stringify([good, wrong, none].flatMap((w) => [...w.errors.flatMap(chain), w.rejected]));
    expect(seen).not.toContain('s3cret');
    await expect(() => consulDiscovery({ service: 'web', token: 42 as unknown as string })).toThrow(ConfigError);
  });

  it('keeps the last good set while Consul is down, reports errors, and recovers when it is back', async () => {
    const server = await consul();
    server.register({ id: 'a', service: 'web', address: '127.0.0.1', port: 8001 });
    const w = watch(server);
    await until(() => server.holding === 1);
    await server.stop();
    await until(() => w.errors.length >= 2);
    expect(w.ports()).toEqual([8001]);
    expect(w.errors[0]).toBeInstanceOf(ConsulError);
    expect(String(w.errors[0])).toMatch(/ECONNREFUSED|fetch failed|other side closed|socket/i);
    server.register({ id: 'b', service: 'web', address: '127.0.0.1', port: 8002 });
    await server.start();
    await until(() => w.ports().length === 2, 5_000);
    expect(w.ports()).toEqual([8001, 8002]);
  });

  it('drops entries with invalid ports, addresses or keys with endpointRejected, and keeps the rest', async () => {
    const server = await consul();
    server.register({ id: 'ok', service: 'web', address: '127.0.0.1', port: 8001 });
    for (const [id, port] of [['zero', 0], ['big', 70_000], ['text', '8080'], ['frac', 80.5]] as const) server.register({ id, service: 'web', address: '127.0.0.1', port });
    server.register({ id: 'host', service: 'web', address: 'bad host', port: 8002 });
    server.registerRaw('web', { Node: { Node: 'n', Address: '127.0.0.1', Datacenter: 'dc1' }, Service: { ID: 'proto', Port: 8003, Tags: [], Meta: JSON.parse('{"__proto__": {"polluted": "yes"}}') }, Checks: [] });
    server.registerRaw('web', 'not an entry');
    const w = watch(server);
    await until(() => w.rejected.length === 7);
    expect(w.ports()).toEqual([8001]);
    const reasons = w.rejected.map((r) => r.reason).join('\n');
    expect(reasons).toMatch(/Service\.Port.*70000/);
    expect(reasons).toMatch(/address must be a host name/);
    expect(reasons).toMatch(/forbidden key "__proto__"/);
    expect(w.rejected.find((r) => r.reason.includes('70000'))!.entry).toContain('"id":"big"');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(w.errors).toEqual([]);
  });

  it('reports a rejected entry once while it stays the same across index changes, and again when it comes back', async () => {
    const server = await consul();
    server.register({ id: 'ok', service: 'web', address: '127.0.0.1', port: 8001 });
    server.register({ id: 'bad', service: 'web', address: '127.0.0.1', port: 0 });
    const w = watch(server);
    await until(() => w.rejected.length === 1 && w.ports().length === 1);
    // Other instances change: new indexes, new answers, the same bad entry in each.
    server.register({ id: 'ok-2', service: 'web', address: '127.0.0.1', port: 8002 });
    await until(() => w.ports().length === 2);
    server.register({ id: 'ok-3', service: 'web', address: '127.0.0.1', port: 8003 });
    await until(() => w.ports().length === 3);
    expect(w.rejected).toHaveLength(1);
    // Gone, then back: reported again.
    server.deregister('bad');
    server.deregister('ok-3');
    await until(() => w.ports().length === 2);
    server.register({ id: 'bad', service: 'web', address: '127.0.0.1', port: 0 });
    await until(() => w.rejected.length === 2);
    expect(w.rejected[1]!.entry).toContain('"id":"bad"');
    // Fixed into another bad value: a new rejection.
    server.register({ id: 'bad', service: 'web', address: '127.0.0.1', port: 70_000 });
    await until(() => w.rejected.length === 3);
    expect(w.rejected[2]!.reason).toMatch(/70000/);
    expect(w.errors).toEqual([]);
  });

  it('treats an answer that is not the documented shape as a failed refresh: last good set kept', async () => {
    const server = await consul();
    server.register({ id: 'ok', service: 'web', address: '127.0.0.1', port: 8001 });
    const w = watch(server);
    await until(() => server.holding === 1);
    const shapes = [{ body: '{"not":"an array"}' }, { body: 'garbage' }, { body: '[]', index: null }, { body: '[]', index: 'abc' }];
    for (const shape of shapes) {
      const before = w.errors.length;
      server.override(shape);
      server.register({ id: `x${before}`, service: 'web', address: '127.0.0.1', port: 9000 + before }); // wakes the held query
      await until(() => w.errors.length > before);
      expect(w.errors.at(-1)).toBeInstanceOf(ConsulError);
      expect(w.ports()).toEqual([8001]);
    }
    expect(w.errors.map(String).join('\n')).toMatch(/not an array[\s\S]*not JSON[\s\S]*X-Consul-Index/);
    // Every instance invalid: an error, not an empty service.
    server.override({ body: JSON.stringify([{ Node: { Address: '127.0.0.1' }, Service: { Port: -1 }, Checks: [] }]), index: '500' });
    await until(() => w.errors.some((e) => String(e).includes('every one')));
    expect(w.ports()).toEqual([8001]);
    // Back to normal answers, at an index past the client's 500: the instances added meanwhile appear.
    server.override(undefined);
    server.restore(600);
    await until(() => w.ports().length > 1, 5_000);
    expect(w.ports()).toEqual([8001, 9000, 9001, 9002, 9003]);
  });

  it('survives an entry nested too deeply to copy: it is rejected, the others are used, and the loop goes on', async () => {
    const server = await consul();
    server.register({ id: 'ok', service: 'web', address: '127.0.0.1', port: 8001 });
    const w = watch(server);
    await until(() => server.holding === 1);
    // 200 kB of JSON that JSON.parse reads but JSON.stringify (and a reviver) cannot walk.
    const depth = 100_000;
    const deep = `{"Node":{"Node":"n","Address":"127.0.0.1"},"Service":{"ID":"deep","Port":8009,"Tags":${'['.repeat(depth)}${']'.repeat(depth)}},"Checks":[]}`;
    const fine = '{"Node":{"Node":"n","Address":"127.0.0.1"},"Service":{"ID":"fine","Port":8002},"Checks":[]}';
    server.override({ body: `[${deep},${fine}]`, index: '500' });
    server.register({ id: 'wake', service: 'web', address: '127.0.0.1', port: 8005 }); // wakes the held query
    await until(() => w.rejected.length === 1);
    expect(w.rejected[0]!.entry).toContain('"id":"deep"');
    await until(() => w.ports().length === 1 && w.ports()[0] === 8002);
    // The loop is still alive: normal answers past index 500 are followed.
    server.override(undefined);
    server.restore(600);
    await until(() => w.ports().includes(8005), 5_000);
    expect(w.ports()).toEqual([8001, 8005]);
  });

  it('refuses a token with a NUL byte (fetch would quote it in its error) without showing it', () => {
    try {
      consulDiscovery({ service: 'web', token: `${TOKEN}\0` });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect(String(err)).not.toContain('s3cret');
    }
  });

  it('close() aborts the blocking request in flight (the server sees the connection close) and stops the loop', async () => {
    const server = await consul();
    server.register({ id: 'a', service: 'web', address: '127.0.0.1', port: 8001 });
    const w = watch(server, { wait: 280_000 });
    await until(() => server.holding === 1);
    const count = server.requests.length;
    await w.client.close();
    await until(() => server.abandoned === 1);
    expect(server.abandoned).toBe(1);
    expect(server.holding).toBe(0);
    server.register({ id: 'b', service: 'web', address: '127.0.0.1', port: 8002 });
    await sleep(100);
    expect(server.requests.length).toBe(count);
  });

  it('gives up on a blocking request held past wait + wait/16 + timeout, and asks again', async () => {
    const server = await consul();
    server.register({ id: 'a', service: 'web', address: '127.0.0.1', port: 8001 });
    server.hangBlocking = true;
    const w = watch(server, { wait: 160, timeout: 100 });
    await until(() => w.errors.length >= 1);
    // 160 ms + 10 ms of Consul's jitter allowance + 100 ms.
    expect(String(w.errors[0])).toMatch(/timed out after 270 ms/);
    await until(() => server.abandoned >= 1); // the aborted request's connection closes
    expect(server.abandoned).toBeGreaterThanOrEqual(1);
    expect(w.ports()).toEqual([8001]);
    server.hangBlocking = false;
    server.register({ id: 'b', service: 'web', address: '127.0.0.1', port: 8002 });
    await until(() => w.ports().length === 2);
    expect(w.ports()).toEqual([8001, 8002]);
  });

  it('stops while backing off from a failure, with nothing left running', async () => {
    const server = await consul();
    await server.stop();
    const discovery = consulDiscovery({ service: 'web', url: server.url, backoff: { min: 60_000, max: 60_000 } });
    const errors: unknown[] = [];
    const stop = stopFunction(discovery.watch(() => {}, (e) => errors.push(e), () => {}));
    await until(() => errors.length === 1);
    await stop();
    expect(errors).toHaveLength(1);
  });

  it('rejects bad options with a ConfigError that does not show credentials', () => {
    expect(() => consulDiscovery({ service: '' })).toThrow(ConfigError);
    expect(() => consulDiscovery({ service: 'a/b' })).toThrow(/service/);
    expect(() => consulDiscovery({ service: 'web', wait: 700_000 })).toThrow(/wait/);
    // 0 would let a server that answers at once spin the loop.
    expect(() => consulDiscovery({ service: 'web', minInterval: 0 })).toThrow(/minInterval must be a number of ms from 1/);
    expect(() => consulDiscovery({ service: 'web', backoff: { min: 5_000, max: 1_000 } })).toThrow(/consulDiscovery: backoff.max must be ≥ backoff.min \(5000\)/);
    expect(() => consulDiscovery({ service: 'web', maxResponseBytes: 1.5 })).toThrow(/maxResponseBytes/);
    try {
      consulDiscovery({ service: 'web', url: 'http://admin:hunter2@consul:8500' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect(String(err)).not.toContain('hunter2');
      expect(JSON.stringify((err as ConfigError).value)).not.toContain('hunter2');
    }
  });
});
