// A bulwark/grpc client's close() rejected, and left its channels open, when cancelling one of
// the streams it still tracked threw (grpc-js runs a client interceptor's `cancel`, user code,
// inside `call.cancel()`): the other streams were not cancelled and no channel was closed.
// close() never rejects (README, "close()"), and cancels every stream and closes every channel.
import * as grpc from '@grpc/grpc-js';
import { expect, it } from 'vitest';
import { createGrpcClient } from '../../src/grpc/index.js';
import { loadProtos, startGrpcServers } from '../helpers/grpc-servers.js';
import { sleep } from '../helpers/lifecycle.js';

const { Echo } = loadProtos();

it('close() resolves and closes the channels even when cancelling a stream throws (a misbehaving interceptor)', async () => {
  const { servers, stop } = await startGrpcServers(1);
  try {
    // Server streams that stay open: headers and one message, never ended.
    servers[0]!.count = (call) => {
      call.sendMetadata(new grpc.Metadata());
      call.write({ text: 'a' });
    };
    const broken: grpc.Interceptor = (options, next) => new grpc.InterceptingCall(next(options), {
      cancel: () => { throw new Error('interceptor cancel failed'); },
    });
    const client = createGrpcClient(Echo, { name: 'echo', discovery: [servers[0]!.address], callOptions: { interceptors: [broken] } });
    const stream = await client.count({ count: 1 });
    stream.on('error', () => {});
    const outcome = await Promise.race([
      client.close().then(() => 'resolved', (err: unknown) => `rejected: ${String(err)}`),
      sleep(5_000).then(() => 'still pending after 5 s'),
    ]);
    expect(outcome).toBe('resolved');
  } finally {
    await stop();
  }
});
