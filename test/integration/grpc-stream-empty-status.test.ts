// A server stream that ended OK with no messages (a trailers-only response) was handed to the
// caller after grpc-js had emitted its 'status': the caller's 'status' listener, the only way to
// its final status and trailers, never fired. The status is now replayed to a later listener,
// as the response headers already were.
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { grpcAfterEach } from '../helpers/grpc-servers.js';
import { sleep } from '../helpers/lifecycle.js';

const { servers, echo } = grpcAfterEach();

describe('a server stream that ends OK with no messages', () => {
  it('still gives the caller its status (and trailers)', async () => {
    const [only] = await servers(1);
    only!.count = (call) => {
      const trailers = new grpc.Metadata();
      trailers.set('x-total', '0');
      call.end(trailers);
    };
    const client = echo([only!]);
    const stream = await client.count({ count: 0 });
    const status = await Promise.race([once(stream, 'status').then(([s]) => s as grpc.StatusObject), sleep(2_000).then(() => 'no status event')]);
    expect(status).toMatchObject({ code: grpc.status.OK });
    expect((status as grpc.StatusObject).metadata.get('x-total')).toEqual(['0']);
  });
});
