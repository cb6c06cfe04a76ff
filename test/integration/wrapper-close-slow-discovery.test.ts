// The wrapper clients released what their calls used (a gRPC client's streams and channels, an
// undici client's pools) only once close() had resolved, i.e. once discovery had stopped, which
// may take seconds (a registry that is slow to answer; bulwark waits up to 10 s): a server stream
// the caller held kept running, and its messages kept arriving, that long after close(). Streams
// are now cancelled, and channels and pools closed, as soon as close() has ended the calls.
import * as grpc from '@grpc/grpc-js';
import { expect, it } from 'vitest';
import type { Discovery } from '../../src/index.js';
import { createGrpcClient } from '../../src/grpc/index.js';
import { loadProtos, startGrpcServers } from '../helpers/grpc-servers.js';
import { sleep } from '../helpers/lifecycle.js';

const { Echo } = loadProtos();

it('close() cancels a running server stream at once, while a slow discovery is still stopping', async () => {
  const { servers, stop } = await startGrpcServers(1);
  try {
    servers[0]!.count = (call) => {
      call.sendMetadata(new grpc.Metadata());
      call.write({ text: 'a' });
    };
    // A discovery whose stop takes 3 s.
    const discovery: Discovery = {
      watch(update) {
        update([servers[0]!.address]);
        return () => sleep(3_000);
      },
    };
    const client = createGrpcClient(Echo, { name: 'echo', discovery });
    const stream = await client.count({ count: 1 });
    const ended = new Promise<number>((resolve) => {
      stream.on('error', (err: grpc.ServiceError) => resolve(err.code));
      stream.on('status', (s: grpc.StatusObject) => resolve(s.code));
    });
    const started = performance.now();
    const closed = client.close();
    const code = await Promise.race([ended, sleep(2_000).then(() => 'still running after 2 s')]);
    expect(code).toBe(grpc.status.CANCELLED);
    expect(performance.now() - started).toBeLessThan(2_000);
    await closed;
  } finally {
    await stop();
  }
});
