// bulwark/grpc over TLS: a `grpcs://` endpoint served by a real grpc-js server on 127.0.0.1 with a
// certificate made for the test by openssl (skipped with an install hint without it; fails under CI).
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGrpcClient } from '../../src/grpc/index.js';
import { describeWith, findBinary } from '../helpers/binaries.js';
import { loadProtos, startTlsEchoServer, type TlsEchoServer } from '../helpers/grpc-servers.js';

const openssl = findBinary('openssl', ['/usr/bin/openssl', '/usr/local/bin/openssl'], 'openssl');
const { Echo } = loadProtos();

describeWith(openssl, 'grpcs:// endpoints', () => {
  let server: TlsEchoServer;
  let cert: Buffer;
  let port = 0;
  beforeAll(async () => {
    server = await startTlsEchoServer(openssl.path!, 'DNS:localhost,IP:127.0.0.1');
    ({ cert, port } = server);
  });
  afterAll(() => server?.stop());

  it('talks TLS with the credentials given, and refuses insecure ones for a grpcs:// endpoint', async () => {
    // An endpoint at an IP address names the server to check the certificate against as DNS
    // discovery does (metadata.hostname), or through the channel option; Node 26 refuses an IP
    // address as the TLS server name.
    const named = { host: '127.0.0.1', port, protocol: 'grpcs', metadata: { hostname: 'localhost' } };
    const client = createGrpcClient(Echo, { name: 'tls', discovery: [named], credentials: grpc.credentials.createSsl(cert) });
    try {
      expect(await client.say({ text: 'hi' })).toMatchObject({ text: 'tls hi' });
    } finally {
      await client.close();
    }
    const overridden = createGrpcClient(Echo, {
      name: 'tls', discovery: [`grpcs://127.0.0.1:${port}`], credentials: grpc.credentials.createSsl(cert),
      channelOptions: { 'grpc.ssl_target_name_override': 'localhost' },
    });
    try {
      expect(await overridden.say({ text: 'hi' })).toMatchObject({ text: 'tls hi' });
    } finally {
      await overridden.close();
    }
    const insecure = createGrpcClient(Echo, { name: 'tls', discovery: [`grpcs://127.0.0.1:${port}`], credentials: grpc.credentials.createInsecure(), retry: false });
    try {
      await expect(insecure.say({ text: 'hi' })).rejects.toThrow(/needs TLS, but the credentials given are insecure/);
    } finally {
      await insecure.close();
    }
  });

  it('a plaintext grpc:// endpoint on the TLS port fails (UNAVAILABLE), it never downgrades silently', async () => {
    const client = createGrpcClient(Echo, { name: 'tls', discovery: [`grpc://127.0.0.1:${port}`], credentials: grpc.credentials.createSsl(cert), retry: false, timeout: { total: 2_000 } });
    try {
      const error = (await client.say({ text: 'hi' }).catch((e: unknown) => e)) as grpc.ServiceError;
      expect(error.code).toBe(grpc.status.UNAVAILABLE);
    } finally {
      await client.close();
    }
  });
});
