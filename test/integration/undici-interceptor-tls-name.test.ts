// The interceptor ignored an https endpoint's `metadata.hostname` (README, DNS discovery: the TLS
// server name of an endpoint at an IP address): every routed request to an https backend found by
// DNS failed its certificate check (ERR_TLS_CERT_ALTNAME_INVALID). It now sends that name, as
// `request()` does.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { bulwarkInterceptor } from '../../src/undici/index.js';
import { describeWith, findBinary } from '../helpers/binaries.js';

const openssl = findBinary('openssl', ['/usr/bin/openssl', '/usr/local/bin/openssl'], 'openssl');

describeWith(openssl, 'interceptor: an https endpoint at an IP address with metadata.hostname', () => {
  let dir = '';
  let cert: Buffer;
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-review-undici-tls-'));
    // A certificate for the name only (no IP address in it): checking it against 127.0.0.1 fails.
    execFileSync(openssl.path!, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    cert = readFileSync(join(dir, 'cert.pem'));
    server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
      req.resume();
      res.end(`tls ${req.url}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('checks the certificate against metadata.hostname, as the transport does', async () => {
    const client = createClient({
      name: 'tls', discovery: [{ host: '127.0.0.1', port, protocol: 'https', metadata: { hostname: 'localhost' } }], retry: false,
    });
    const agent = new Agent({ connect: { ca: cert } }).compose(bulwarkInterceptor({ origins: { 'https://tls.internal': client } }));
    try {
      const outcome = await request('https://tls.internal/x', { dispatcher: agent })
        .then(async (r) => `${r.statusCode} ${await r.body.text()}`, (e: Error) => `rejected: ${e.message}`);
      expect(outcome).toBe('200 tls /x');
    } finally {
      await client.close();
      await agent.close();
    }
  });
});
