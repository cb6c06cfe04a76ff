// A caller's path goes under the endpoint's base path, and dot segments in it cannot climb out
// of it: a gateway that serves several tenants under one host must not get another tenant's path.
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { bulwarkInterceptor, createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';

const { track, servers, defer } = closeAfterEach();

const climbing = ['/files/../../../b/api/admin', '/files/%2e%2e/%2e%2e/%2e%2e/b/api/admin', 'files/../../../b/api/admin?x=1#frag'];

describe('dot segments under a base path', () => {
  it('client.fetch resolves them under the base path', async () => {
    const [gateway] = await servers(ok());
    const client = track(createClient({ name: 'svc', discovery: [`${gateway!.url}/tenants/a/api`] }));
    for (const path of climbing) await (await client.fetch(path)).text();
    expect(gateway!.requests.map((r) => r.path)).toEqual(['/tenants/a/api/b/api/admin', '/tenants/a/api/b/api/admin', '/tenants/a/api/b/api/admin?x=1']);
  });

  it('bulwark/undici request() resolves them under the base path, and sends no fragment', async () => {
    const [gateway] = await servers(ok());
    const client = track(createUndiciClient({ name: 'svc', discovery: [`${gateway!.url}/tenants/a/api`] }));
    for (const path of climbing) await (await client.request(path)).body.text();
    expect(gateway!.requests.map((r) => r.path)).toEqual(['/tenants/a/api/b/api/admin', '/tenants/a/api/b/api/admin', '/tenants/a/api/b/api/admin?x=1']);
  });

  it('the interceptor resolves them under the base path', async () => {
    const [gateway] = await servers(ok());
    const client = track(createClient({ name: 'svc', discovery: [`${gateway!.url}/tenants/a/api`] }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.destroy());
    const res = await request('http://svc.internal/files/../../../b/api/admin', { dispatcher: agent });
    await res.body.text();
    const raw = await agent.request({ origin: 'http://svc.internal', path: '/files/%2e%2e/%2e%2e/%2e%2e/b/api/admin', method: 'GET' });
    await raw.body.text();
    expect(gateway!.requests.map((r) => r.path)).toEqual(['/tenants/a/api/b/api/admin', '/tenants/a/api/b/api/admin']);
  });
});
