// What broke: a gRPC endpoint's userinfo was dropped (the call went out unauthenticated) and its base path ignored.
import { describe, expect, it } from 'vitest';
import {} from '../../src/index.js';
import { grpcAfterEach } from '../helpers/grpc-servers.js';

const { servers, echo } = grpcAfterEach();

describe('endpoint parts gRPC cannot carry', () => {
  // README "Endpoints and discovery": "'https://user:secret@10.0.0.3:8443' // userinfo is sent as
  // `authorization: Basic …`", and a password discovery changes "is used from the next attempt
  // on"; README's error table: bulwark/grpc speaks "host:port, grpc:// or grpcs://". A gRPC
  // endpoint's userinfo (Consul/Eureka/etcd entries may carry it) is dropped without a word: the
  // call goes out unauthenticated, and a base path is ignored likewise.
  it('an endpoint’s userinfo reaches the server as authorization metadata', async () => {
    const [a] = await servers(1);
    const seen: string[] = [];
    a!.say = (call, callback, server) => {
      seen.push(String(call.metadata.get('authorization')[0] ?? ''));
      callback(null, { text: '', server: server.port });
    };
    const client = echo([], { discovery: [`grpc://user:secret@127.0.0.1:${a!.port}`], retry: false });
    await client.say({ text: 'x' });
    expect(seen).toEqual([`Basic ${Buffer.from('user:secret').toString('base64')}`]);
  });
});

describe('an endpoint with a base path', () => {
  // A gRPC call's path is `/package.Service/Method`: a base path cannot be honoured, so such an
  // endpoint is refused as one of the wrong scheme is (nothing sent), not called without it.
  it('fails its attempts with ERR_BULWARK_UNSUPPORTED_ENDPOINT and sends nothing', async () => {
    const [a] = await servers(1);
    const client = echo([], { discovery: [`grpc://127.0.0.1:${a!.port}/prefix`], retry: false });
    const error = await client.say({ text: 'x' }).then(() => undefined, (e: unknown) => e);
    const code = (error as { code?: unknown; cause?: { code?: unknown } }).code === 'ERR_BULWARK_UNSUPPORTED_ENDPOINT' ? 'ERR_BULWARK_UNSUPPORTED_ENDPOINT' : (error as { cause?: { code?: unknown } }).cause?.code;
    expect(code).toBe('ERR_BULWARK_UNSUPPORTED_ENDPOINT');
    expect(a!.calls).toBe(0);
  });
});
