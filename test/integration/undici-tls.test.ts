// bulwark/undici over TLS to an endpoint at an IP address, as DNS discovery makes them: the
// server's certificate is for a name (localhost), and the endpoint carries that name in
// metadata.hostname. A real node:https server on 127.0.0.1, with a certificate made by openssl.
// The default active health check goes the same way, through the endpoint's pool, and so do
// requests routed by the interceptor.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient, type HealthEvent } from '../../src/index.js';
import { bulwarkInterceptor, createUndiciClient } from '../../src/undici/index.js';
import { describeWith, findBinary } from '../helpers/binaries.js';
import { until } from '../helpers/lifecycle.js';

const openssl = findBinary('openssl', ['/usr/bin/openssl', '/usr/local/bin/openssl'], 'openssl');

describeWith(openssl, 'https endpoints at an IP address', () => {
  let dir = '';
  let cert: Buffer;
  let server: Server;
  let port = 0;
  const paths: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-undici-tls-'));
    // A certificate for the name only (no IP address in it): checking it against 127.0.0.1 fails.
    execFileSync(openssl.path!, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    cert = readFileSync(join(dir, 'cert.pem'));
    server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
      paths.push(req.url ?? '');
      req.resume();
      if (req.url === '/failing-health') res.statusCode = 503;
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

  it('checks the certificate against metadata.hostname; without it, against the IP address (and fails)', async () => {
    const named = createUndiciClient({
      name: 'tls', discovery: [{ host: '127.0.0.1', port, protocol: 'https', metadata: { hostname: 'localhost' } }],
      pool: { connect: { ca: cert } }, retry: false,
    });
    try {
      const { statusCode, body } = await named.request('/x');
      expect(statusCode).toBe(200);
      expect(await body.text()).toBe('tls /x');
    } finally {
      await named.close();
    }
    const bare = createUndiciClient({ name: 'tls', discovery: [`https://127.0.0.1:${port}`], pool: { connect: { ca: cert } }, retry: false });
    try {
      await expect(bare.request('/x')).rejects.toThrow();
    } finally {
      await bare.close();
    }
  });
  it('sends the default health check through the pool: it passes over TLS, and judges the status it gets', async () => {
    const endpoint = { host: '127.0.0.1', port, protocol: 'https' as const, metadata: { hostname: 'localhost' } };
    const checks = { interval: 30, jitter: 0, unhealthyThreshold: 1 };
    const healthy = createUndiciClient({ name: 'tls', discovery: [endpoint], pool: { connect: { ca: cert } }, health: { maxEjectionPercent: 100, checks } });
    const events: HealthEvent[] = [];
    healthy.on('health', (e) => events.push(e));
    try {
      paths.length = 0;
      // With the client's fetch the check failed on the certificate (DEPTH_ZERO_SELF_SIGNED_CERT) and ejected the endpoint.
      await until(() => paths.filter((p) => p === '/health').length >= 3, 3_000);
      expect(events.map((e) => `${e.status} ${e.reason}`)).toEqual([]);
    } finally {
      await healthy.close();
    }
    const failing = createUndiciClient({ name: 'tls', discovery: [endpoint], pool: { connect: { ca: cert } }, health: { maxEjectionPercent: 100, checks: { ...checks, path: '/failing-health' } } });
    const ejected: HealthEvent[] = [];
    failing.on('health', (e) => ejected.push(e));
    try {
      await until(() => ejected.length > 0, 3_000);
      expect(`${ejected[0]!.status} ${ejected[0]!.reason}`).toBe('ejected health check failed (status 503)');
    } finally {
      await failing.close();
    }
  });

  // The interceptor once ignored metadata.hostname: every routed request to an https backend
  // found by DNS failed its certificate check.
  it('routes through the interceptor with the certificate checked against metadata.hostname, as request() does', async () => {
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
