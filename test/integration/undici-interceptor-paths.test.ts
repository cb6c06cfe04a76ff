// The interceptor glued a dispatch's path onto the endpoint's base path whatever it was: under
// `http://h/api`, a path undici refuses (`users`, no leading slash) went to `/apiusers`, and one
// in absolute form (`http://svc.internal/users?x=1`, which undici takes) to
// `/apihttp://svc.internal/users?x=1`. An absolute URL now gives its path and query, and a path
// undici refuses is refused as undici refuses it, with nothing sent.
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { bulwarkInterceptor } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';

const { track, servers, defer } = closeAfterEach();

describe('interceptor: a dispatch path that is not "/…" under an endpoint base path', () => {
  it('a path without a leading slash is refused as undici refuses it, not sent to basePath+path', async () => {
    const [a] = await servers(ok());
    const client = track(createClient({ name: 'svc', discovery: [`${a!.url}/api`], retry: false }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.close());
    const outcome = await agent.request({ origin: 'http://svc.internal', path: 'users', method: 'GET' })
      .then(async (r) => { await r.body.dump(); return `status ${r.statusCode}`; }, (e: Error) => e.message);
    // Plain undici: InvalidArgumentError('path must be an absolute URL or start with a slash'), nothing sent.
    expect(a!.requests.map((r) => r.path)).toEqual([]);
    expect(outcome).toMatch(/start with a slash/);
  });

  it('an absolute-form path sends its path and query under the base path', async () => {
    const [a] = await servers(ok());
    const client = track(createClient({ name: 'svc', discovery: [`${a!.url}/api`], retry: false }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.close());
    const res = await agent.request({ origin: 'http://svc.internal', path: 'http://svc.internal/users?x=1', method: 'GET' });
    await res.body.dump();
    expect(a!.requests.map((r) => r.path)).toEqual(['/api/users?x=1']);
  });
});
