// A `host:port` endpoint at an IP address used over TLS (secure `credentials`, which make a
// `host:port` endpoint TLS) did not get its `metadata.hostname` as the TLS name: TLS was decided
// by the scheme alone, so every call to a DNS-discovered endpoint failed its certificate check.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGrpcClient } from '../../src/grpc/index.js';
import { describeWith, findBinary } from '../helpers/binaries.js';
import { loadProtos, startTlsEchoServer, type TlsEchoServer } from '../helpers/grpc-servers.js';

const openssl = findBinary('openssl', ['/usr/bin/openssl', '/usr/local/bin/openssl'], 'openssl');
const { Echo } = loadProtos();

describeWith(openssl, 'TLS to a host:port endpoint at an IP address', () => {
  let server: TlsEchoServer;
  let cert: Buffer;
  let port = 0;
  beforeAll(async () => {
    server = await startTlsEchoServer(openssl.path!, 'DNS:svc.test');
    ({ cert, port } = server);
  });
  afterAll(() => server?.stop());

  it('checks the certificate against metadata.hostname, as for grpcs://', async () => {
    const asGrpcs = createGrpcClient(Echo, { name: 'tls', discovery: [{ host: '127.0.0.1', port, protocol: 'grpcs', metadata: { hostname: 'svc.test' } }], credentials: grpc.credentials.createSsl(cert), retry: false });
    try {
      expect(await asGrpcs.say({ text: 'hi' })).toMatchObject({ text: 'tls hi' });
    } finally {
      await asGrpcs.close();
    }
    // What dnsDiscovery({ hostname: 'svc.test', port }) hands over: http (its default protocol), an address, the name.
    const asHostPort = createGrpcClient(Echo, { name: 'tls', discovery: [{ host: '127.0.0.1', port, metadata: { hostname: 'svc.test' } }], credentials: grpc.credentials.createSsl(cert), retry: false, timeout: { total: 3_000 } });
    try {
      expect(await asHostPort.say({ text: 'hi' })).toMatchObject({ text: 'tls hi' });
    } finally {
      await asHostPort.close();
    }
  });
});
