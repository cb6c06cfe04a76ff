// What broke (bulwark/undici interceptor): with undici's redirect interceptor composed inside
// bulwark's, a POST answered 303 whose Location could not be reached was judged "nothing was
// sent" (the refused connection of the redirect's hop) and sent again to the other endpoints:
// three POSTs. The endpoint had answered, so the POST is not sent again (as `client.fetch`
// judges a followed redirect's failure). The second case guards the composition docs/undici.md
// gives for redirects: outside bulwark's, a redirect to the routed origin goes through the client.
import { Agent, interceptors } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { bulwarkInterceptor } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { closedPort } from '../helpers/servers.js';

const { track, servers, defer } = closeAfterEach();

describe('undici redirect interceptor and bulwark', () => {
  it('inside bulwark: a POST answered 303 is not sent again when the redirect it gave cannot be reached', async () => {
    const gone = await closedPort();
    const redirectAway = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
      req.resume();
      res.writeHead(303, { location: `${gone}/done` }).end();
    };
    const [a, b] = await servers(redirectAway, redirectAway);
    const client = track(createClient({ name: 'svc', discovery: [a!.url, b!.url] }));
    const agent = new Agent().compose(interceptors.redirect({ maxRedirections: 3 }), bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.close());
    await agent.request({ origin: 'http://svc.internal', path: '/charge', method: 'POST', body: 'amount=10' }).then((r) => r.body.dump(), () => undefined);
    const posts = [...a!.requests, ...b!.requests].filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
  });

  it('outside bulwark (docs/undici.md): a redirect to the routed origin is followed through the client', async () => {
    const [a] = await servers((req, res) => {
      req.resume();
      if (req.url === '/old') res.writeHead(302, { location: 'http://svc.internal/new' }).end();
      else res.end(`at ${req.url}`);
    });
    const client = track(createClient({ name: 'svc', discovery: [a!.url] }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }), interceptors.redirect({ maxRedirections: 3 }));
    defer(() => agent.close());
    const response = await agent.request({ origin: 'http://svc.internal', path: '/old', method: 'GET' });
    expect(`${response.statusCode} ${await response.body.text()}`).toBe('200 at /new');
    expect(a!.requests.map((r) => r.path)).toEqual(['/old', '/new']);
  });
});
