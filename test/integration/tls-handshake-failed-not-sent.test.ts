// What broke: an https endpoint whose TLS handshake failed was judged as a connection lost after
// the request was sent. The server reset the handshake: undici failed with `read ECONNRESET`,
// the code of a connection lost mid-request. So a POST got one attempt and failed although no
// byte of it had left and a healthy endpoint could take it, and a GET's retry drew on the retry
// budget (README, "What is retried": a connection never established is retried, any method,
// without the budget; a handshake that timed out already was). A certificate the client refuses
// is the same: nothing was sent.
import { createServer as createHttp } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { createServer as createNet, type AddressInfo, type Server, type Socket } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { beforeAll, beforeEach, expect, it } from 'vitest';
import { createClient, roundRobin, type ClientOptions } from '../../src/index.js';
import { createUndiciClient } from '../../src/undici/index.js';
import { describeWith, findBinary } from '../helpers/binaries.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { selfSignedCertificate, type TestCertificate } from '../helpers/tls-cert.js';

const openssl = findBinary('openssl', ['/usr/bin/openssl', '/usr/local/bin/openssl'], 'openssl');

describeWith(openssl, 'an https endpoint whose TLS handshake fails: nothing was sent', () => {
  const { track, defer } = closeAfterEach();
  let tls: TestCertificate;
  beforeAll(() => {
    tls = selfSignedCertificate(openssl.path!, 'IP:127.0.0.1');
  });

  /** Listens on 127.0.0.1, closed after the test; its port. */
  async function listen(server: Server): Promise<number> {
    const open = new Set<Socket>();
    server.on('connection', (s: Socket) => {
      open.add(s);
      s.on('close', () => open.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    defer(() => new Promise<void>((resolve) => {
      for (const s of open) s.destroy();
      server.close(() => resolve());
    }));
    return (server.address() as AddressInfo).port;
  }

  /** Accepts TCP, reads the ClientHello and resets the connection. */
  const resetsHandshake = async (): Promise<string> => {
    const server = createNet((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.resetAndDestroy());
    });
    return `https://127.0.0.1:${await listen(server)}`;
  };
  let requests: string[] = [];
  beforeEach(() => {
    requests = [];
  });
  const answer = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    res.end('ok');
  };
  const goodHttps = async (): Promise<string> => `https://127.0.0.1:${await listen(createHttps({ key: tls.key, cert: tls.cert }, answer))}`;
  const goodHttp = async (): Promise<string> => `http://127.0.0.1:${await listen(createHttp(answer))}`;

  /** The failing endpoint first; no retry budget at all, so only attempts that sent nothing may be retried. */
  const options = (bad: string, good: string): ClientOptions => ({
    name: 'svc', discovery: [bad, good], picker: roundRobin({ random: () => 0 }),
    retry: { backoff: { base: 1, cap: 1 }, budget: { ratio: 0, minPerSecond: 0 } },
  });

  it('request(): a POST whose handshake was reset goes to the next endpoint, and a GET is retried without the budget', async () => {
    const client = track(createUndiciClient({ ...options(await resetsHandshake(), await goodHttps()), pool: { connect: { ca: [tls.cert] } } }));
    const post = await client.request('/order', { method: 'POST', body: 'order' });
    expect(post.statusCode).toBe(200);
    await post.body.text();
    const get = await client.request('/read');
    expect(get.statusCode).toBe(200);
    await get.body.text();
    expect(requests).toEqual(['POST /order', 'GET /read']);
    expect(client.stats().budgetExhausted).toBe(0);
  });

  it("client.fetch with undici's fetch: a POST whose handshake was reset goes to the next endpoint", async () => {
    const agent = new Agent({ connect: { ca: [tls.cert] } });
    defer(() => agent.close());
    const client = track(createClient({ ...options(await resetsHandshake(), await goodHttps()), fetch: undiciFetch }));
    const res = await client.fetch('/order', { method: 'POST', body: 'order', dispatcher: agent } as unknown as RequestInit);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
  });

  it("client.fetch with Node's fetch: a POST whose handshake was reset, or whose certificate is refused, goes to the next endpoint", async () => {
    const untrusted = await goodHttps(); // Node's fetch trusts only the system's CAs
    for (const bad of [await resetsHandshake(), untrusted]) {
      const client = track(createClient(options(bad, await goodHttp())));
      const res = await client.fetch('/order', { method: 'POST', body: 'order' });
      expect(res.status).toBe(200);
      await res.text();
    }
    expect(requests).toEqual(['POST /order', 'POST /order']);
  });
});
