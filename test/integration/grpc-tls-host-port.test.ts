// A `host:port` endpoint at an IP address used over TLS (secure `credentials`, which make a
// `host:port` endpoint TLS) did not get its `metadata.hostname` as the TLS name: TLS was decided
// by the scheme alone, so every call to a DNS-discovered endpoint failed its certificate check.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGrpcClient } from '../../src/grpc/index.js';
import { describeWith, findBinary } from '../helpers/binaries.js';
import { loadProtos } from '../helpers/grpc-servers.js';

const openssl = findBinary('openssl', ['/usr/bin/openssl', '/usr/local/bin/openssl'], 'openssl');
const { Echo, echo } = loadProtos();

describeWith(openssl, 'TLS to a host:port endpoint at an IP address', () => {
  let dir = '';
  let cert: Buffer;
  let server: grpc.Server;
  let port = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-review-grpc3-'));
    // Valid for the service's name only, as certificates are: not for the address.
    execFileSync(openssl.path!, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=svc.test', '-addext', 'subjectAltName=DNS:svc.test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    cert = readFileSync(join(dir, 'cert.pem'));
    server = new grpc.Server();
    server.addService(echo, { Say: (call: grpc.ServerUnaryCall<{ text: string }, object>, cb: grpc.sendUnaryData<object>) => cb(null, { text: `tls ${call.request.text}` }) });
    const creds = grpc.ServerCredentials.createSsl(null, [{ private_key: readFileSync(join(dir, 'key.pem')), cert_chain: cert }]);
    port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', creds, (e, p) => (e ? reject(e) : resolve(p))));
  });
  afterAll(() => {
    server?.forceShutdown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

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
