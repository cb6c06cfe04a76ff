// What broke: a basePath given in the object form (or by dnsDiscovery's basePath option) is kept raw, not normalised as the same base path in an endpoint string is, so undici calls fail or go to another path.
// README, "Endpoints and discovery": an endpoint is a string or an object, and
// `'https://api.internal/v2'` / `{ …, basePath: '/api' }` are the two ways to give the same base
// path; its identity is `protocol://host:port/base`. The string form goes through the URL parser
// (spaces and non-ASCII percent-encoded, `..` and `%2e%2e` resolved); the object form only gets a
// leading `/` (parse.ts normaliseBasePath). `client.fetch` hides it (fetch re-parses
// `endpoint.url + path`), but `bulwark/undici` sends `endpoint.basePath + path` as it is: a space
// fails every call with undici's "invalid request path", and `/a/../b` reaches the server as
// `/a/../b/x` while fetch and the string form go to `/b/x`. The same endpoint written both ways
// also gets two ids, so the duplicate rule ("the same id ... are one endpoint") misses it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createUndiciClient } from '../../src/undici/index.js';
import { parseEndpoint, parseEndpointByUrl } from '../../src/endpoints/parse.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => { while (cleanups.length > 0) await cleanups.pop()!(); });

async function pathServer(): Promise<{ port: number; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req, res) => { paths.push(req.url ?? ''); res.end('ok'); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return { port: (server.address() as AddressInfo).port, paths };
}

it('the object form has the id the string form has', () => {
  for (const basePath of ['/my api', '/a/../b', '/a/%2e%2e/b', '/é']) {
    expect(parseEndpoint({ host: '10.0.0.1', port: 80, basePath }).id, basePath).toBe(parseEndpoint(`http://10.0.0.1:80${basePath}`).id);
  }
});

it('an undici client sends the object form\'s base path as the string form\'s', async () => {
  const { port, paths } = await pathServer();
  for (const basePath of ['/my api', '/a/../b']) {
    const viaString = createUndiciClient({ name: 'str', discovery: [`http://127.0.0.1:${port}${basePath}`], retry: false });
    const viaObject = createUndiciClient({ name: 'obj', discovery: [{ host: '127.0.0.1', port, basePath }], retry: false });
    cleanups.push(() => viaString.close(), () => viaObject.close());
    paths.length = 0;
    await (await viaString.request('/x')).body.text();
    const expected = paths[0];
    paths.length = 0;
    const outcome = await viaObject.request('/x').then(async (r) => { await r.body.text(); return 'sent'; }, (err: Error) => `${err.name}: ${err.message}`);
    expect(outcome, basePath).toBe('sent');
    expect(paths, basePath).toEqual([expected]);
  }
});

it('keeps plain paths, strips trailing slashes and still refuses a query or fragment', () => {
  const basePathOf = (basePath: string): string => parseEndpoint({ host: '10.0.0.1', port: 80, basePath }).basePath;
  expect(['', '/', 'api', '/api/', '/a//b', '/p@th', '\\x', '/..'].map(basePathOf)).toEqual(['', '', '/api', '/api', '/a//b', '/p@th', '/x', '']);
  expect(() => basePathOf('/api?token=abc')).toThrow(/must not have a query or fragment/);
  expect(() => basePathOf('/api#x')).toThrow(/must not have a query or fragment/);
});

it('reads plain base paths by hand exactly as the URL parser does', () => {
  for (const basePath of ['', '/', 'api', '/api/v1/', '/a//b', '/.', '/a/..', '/...', '/a.b/~c_d-e', '/A%41', '/x y', '\\x', '//']) {
    const init = { host: '10.0.0.1', port: 80, basePath };
    expect(parseEndpoint(init), basePath).toEqual(parseEndpointByUrl(init));
  }
});
