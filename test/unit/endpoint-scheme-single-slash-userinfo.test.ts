// What broke: an endpoint string whose scheme has a single slash and userinfo ('https:/user:pw@host:port') is read as plain http, with the scheme glued onto the user name, so Basic credentials go out in cleartext.
// README, "Endpoints and discovery": an endpoint is 'scheme://host:port/base' or 'host:port', and
// a malformed one is a ConfigError. Without userinfo, 'https:/10.0.0.1:8443' is refused as
// malformed; with userinfo, splitUserinfo() finds no 'scheme://' prefix and takes everything up
// to the last '@' ('https:/user:pw') as the userinfo, so the endpoint becomes http://host:port.
// Every URL parser (WHATWG URL, fetch, undici) reads 'https:/user:pw@host' as https with user
// 'user': bulwark instead sends 'Authorization: Basic base64("https:/user:pw")' over plain http.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { ConfigError, createClient, type Client } from '../../src/index.js';
import { parseEndpoint } from '../../src/endpoints/parse.js';

it('parses like a URL parser would (https), or refuses the string; never http with the scheme in the user name', () => {
  for (const text of ['https:/user:pw@10.0.0.1:8443', 'https:user:pw@10.0.0.1:8443', 'tcp:/user:pw@10.0.0.1:5432']) {
    let parsed: ReturnType<typeof parseEndpoint> | undefined;
    try {
      parsed = parseEndpoint(text);
    } catch {
      continue; // refused: fine
    }
    expect(parsed.protocol, text).toBe(new URL(text).protocol);
  }
});

it('a cleartext server on the port never receives the https endpoint\'s credentials', async () => {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => { seen.push(req.headers); res.end('plain http'); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let client: Client | undefined;
  try {
    try {
      client = createClient({ name: 'secure', discovery: [`https:/user:pw@127.0.0.1:${port}`], retry: false, timeout: { total: 2_000 } });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return;
    }
    await client.fetch('/').catch(() => undefined);
    expect(seen.map((h) => h.authorization)).toEqual([]);
    expect(client.endpoints()[0]?.protocol).toBe('https:');
  } finally {
    await client?.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

it('is refused as a ConfigError whose message and value hold none of the credentials', () => {
  for (const text of ['https:/user:pw@10.0.0.1:8443', 'https:user:pw@10.0.0.1:8443', 'tcp:/user:pw@10.0.0.1:5432', 'https:\\\\user:pw@10.0.0.1:8443', 'HTTP:pw@10.0.0.1:80']) {
    let caught: unknown;
    try {
      createClient({ name: 'secure', discovery: [text] });
    } catch (err) {
      caught = err;
    }
    expect(caught, text).toBeInstanceOf(ConfigError);
    const { message, value } = caught as ConfigError;
    expect(message, text).toContain("discovery[0] has no '//' after its scheme");
    expect(message, text).not.toContain('pw');
    expect(value, text).toMatch(/^10\.0\.0\.1:\d+$/);
  }
});

it('userinfo without a scheme that starts like no scheme is still taken as user:password', () => {
  for (const [text, userinfo] of [['u:p@10.0.0.1:80', 'u:p'], ['admin:pa:ss@10.0.0.1:80', 'admin:pa:ss'], ['a%40b:c@10.0.0.1:80', 'a@b:c']] as const) {
    const parsed = parseEndpoint(text);
    expect(parsed.id, text).toBe('http://10.0.0.1:80');
    expect(parsed.authorization, text).toBe(`Basic ${Buffer.from(userinfo).toString('base64')}`);
  }
  // With the scheme written in full, the password is taken whole, a leading slash included.
  expect(parseEndpoint('https://admin:/pw@10.0.0.1:8443').authorization).toBe(`Basic ${Buffer.from('admin:/pw').toString('base64')}`);
});
