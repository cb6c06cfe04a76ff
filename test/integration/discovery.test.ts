import { afterEach, describe, expect, it } from 'vitest';
import { createClient, roundRobin, type Client, type Discovery, type EndpointInit, type EndpointRejectedEvent, type EndpointsEvent } from '../../src/index.js';
import { ok, startServers } from '../helpers/servers.js';

const clients: Client[] = [];
afterEach(async () => { await Promise.all(clients.splice(0).map((c) => c.close())); });

function manual(): Discovery & { push(list: unknown): void; fail(err: unknown): void } {
  let update: ((l: readonly EndpointInit[]) => void) | undefined;
  let error: ((e: unknown) => void) | undefined;
  return {
    watch(u, e) { update = u; error = e; return () => {}; },
    push(list) { update?.(list as EndpointInit[]); },
    fail(err) { error?.(err); },
  };
}

describe('discovery drives the endpoint set', () => {
  it('diffs sets by id: an endpoint that stays keeps its state, one that goes is dropped', async () => {
    const d = manual();
    const client = createClient({ name: 'svc', discovery: d, picker: roundRobin() });
    clients.push(client);
    const events: EndpointsEvent[] = [];
    client.on('endpoints', (e) => events.push(e));
    d.push(['127.0.0.1:1', '127.0.0.1:2']);
    await client.execute(async () => 1);
    await client.execute(async () => 1);
    const kept = client.endpoints().find((e) => e.port === 2)!;
    const successesOf2 = (): number | undefined => client.stats().endpoints.find((e) => e.id === 'http://127.0.0.1:2')?.successes;
    expect(successesOf2()).toBe(1);
    d.push(['http://127.0.0.1:2', '127.0.0.1:3']);
    expect(events.at(-1)!.added.map((e) => e.id)).toEqual(['http://127.0.0.1:3']);
    expect(events.at(-1)!.removed.map((e) => e.id)).toEqual(['http://127.0.0.1:1']);
    expect(client.endpoints().find((e) => e.port === 2)).toBe(kept);
    expect(successesOf2()).toBe(1);
    // The same set again changes nothing.
    d.push(['127.0.0.1:2', '127.0.0.1:3']);
    expect(events).toHaveLength(2);
  });

  it('the first set of a static list is announced to listeners added right after createClient', async () => {
    const client = createClient({ name: 'svc', discovery: ['127.0.0.1:1', '127.0.0.1:2'] });
    clients.push(client);
    const events: EndpointsEvent[] = [];
    client.on('endpoints', (e) => events.push(e));
    expect(client.endpoints()).toHaveLength(2);
    await Promise.resolve();
    expect(events).toHaveLength(1);
    expect(events[0]!.added.map((e) => e.id)).toEqual(['http://127.0.0.1:1', 'http://127.0.0.1:2']);
  });

  it('drops invalid entries with an event instead of throwing, and never shows credentials', async () => {
    const d = manual();
    const client = createClient({ name: 'svc', discovery: d });
    clients.push(client);
    const rejected: EndpointRejectedEvent[] = [];
    client.on('endpointRejected', (e) => rejected.push(e));
    d.push(['127.0.0.1:1', 'http://admin:s3cret@bad host:1', 'http://admin:p@s3cret@bad host:1', { host: 'admin:s3cret@h', port: -1 }, 42]);
    expect(client.endpoints().map((e) => e.id)).toEqual(['http://127.0.0.1:1']);
    expect(rejected).toHaveLength(4);
    expect(JSON.stringify(rejected)).not.toContain('s3cret');
    d.push('not a list');
    expect(client.endpoints()).toHaveLength(1);
  });

  it('treats an update with entries but no valid one as a failed refresh, not an empty service', async () => {
    const d = manual();
    const client = createClient({ name: 'svc', discovery: d });
    clients.push(client);
    const errors: unknown[] = [];
    client.on('discoveryError', (e) => errors.push(e.error));
    d.push(['127.0.0.1:1', '127.0.0.1:2']);
    d.push([{ host: '127.0.0.1', port: '1' }, { host: '127.0.0.1', port: '2' }]);
    expect(client.endpoints()).toHaveLength(2);
    expect(errors).toHaveLength(1);
    // An empty list is a real answer: the service has no endpoints.
    d.push([]);
    expect(client.endpoints()).toHaveLength(0);
  });

  it('sends a password rotated through discovery', async () => {
    const servers = await startServers([ok()]);
    try {
      const d = manual();
      const client = createClient({ name: 'svc', discovery: d });
      clients.push(client);
      d.push([servers[0]!.url.replace('http://', 'http://svc:old@')]);
      await (await client.fetch('/x')).text();
      d.push([servers[0]!.url.replace('http://', 'http://svc:new@')]);
      await (await client.fetch('/x')).text();
      const sent = servers[0]!.requests.map((r) => Buffer.from(String(r.headers.authorization).slice(6), 'base64').toString());
      expect(sent).toEqual(['svc:old', 'svc:new']);
    } finally {
      await servers.closeAll();
    }
  });

  it('keeps the last good set when a refresh fails, and says why', async () => {
    const d = manual();
    const client = createClient({ name: 'svc', discovery: d });
    clients.push(client);
    const errors: unknown[] = [];
    client.on('discoveryError', (e) => errors.push(e.error));
    d.push(['127.0.0.1:1']);
    d.fail(new Error('registry unreachable'));
    expect(errors).toHaveLength(1);
    expect(client.endpoints()).toHaveLength(1);
    await expect(client.execute(async (e) => e.port)).resolves.toBe(1);
  });

  it('sends URL credentials as Basic auth but keeps them out of stats and events', async () => {
    const servers = await startServers([ok()]);
    try {
      const url = servers[0]!.url.replace('http://', 'http://svc:p4ss@');
      const client = createClient({ name: 'svc', discovery: [url] });
      clients.push(client);
      const seen: unknown[] = [];
      client.on('attempt', (e) => seen.push(e));
      await (await client.fetch('/x')).text();
      expect(servers[0]!.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('svc:p4ss').toString('base64')}`);
      expect(JSON.stringify(client.stats())).not.toContain('p4ss');
      expect(JSON.stringify(seen)).not.toContain('p4ss');
    } finally {
      await servers.closeAll();
    }
  });

  it('sends the path and query to the endpoint, under its base path', async () => {
    const servers = await startServers([ok()]);
    try {
      const client = createClient({ name: 'svc', discovery: [`${servers[0]!.url}/api/`] });
      clients.push(client);
      await (await client.fetch('/v1/users/42?full=1')).text();
      await (await client.fetch('http://ignored.example/v1/x?y=2')).text();
      await (await client.fetch(new URL('http://other/z'))).text();
      expect(servers[0]!.requests.map((r) => r.path)).toEqual(['/api/v1/users/42?full=1', '/api/v1/x?y=2', '/api/z']);
    } finally {
      await servers.closeAll();
    }
  });
});
