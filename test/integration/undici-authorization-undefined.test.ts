// An endpoint's userinfo credentials were not sent when the request had `authorization:
// undefined` (`headers: { authorization: token }` with no token): the name alone counted as an
// authorization header, while undici leaves a header with an undefined value out. The request
// went out with none and got a 401. Such an entry is now replaced by the endpoint's.
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { bulwarkInterceptor, createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';

const { track, servers, defer } = closeAfterEach();
const basic = `Basic ${Buffer.from('user:secret').toString('base64')}`;

describe('an endpoint with userinfo, a request with `authorization: undefined`', () => {
  it('request() still sends the endpoint credentials', async () => {
    const [a] = await servers(ok());
    const client = track(createUndiciClient({ name: 'svc', discovery: [`http://user:secret@127.0.0.1:${a!.port}`], retry: false }));
    const token: string | undefined = undefined;
    const res = await client.request('/x', { headers: { authorization: token, 'x-other': '1' } });
    await res.body.dump();
    expect(a!.requests[0]!.headers.authorization).toBe(basic);
  });

  it('the interceptor still sends the endpoint credentials', async () => {
    const [a] = await servers(ok());
    const client = track(createClient({ name: 'svc', discovery: [`http://user:secret@127.0.0.1:${a!.port}`], retry: false }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.close());
    const token: string | undefined = undefined;
    const res = await request('http://svc.internal/x', { dispatcher: agent, headers: { authorization: token } });
    await res.body.dump();
    expect(a!.requests[0]!.headers.authorization).toBe(basic);
  });
});
