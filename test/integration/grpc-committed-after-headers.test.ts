// A unary call whose server had sent its response headers and then failed with UNAVAILABLE was
// sent again to another endpoint, non-idempotent methods included: the service ran it twice.
// Response headers commit a call (gRFC A6; grpc-js's own retries commit on them): such an error
// is now final.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { grpcAfterEach } from '../helpers/grpc-servers.js';

const { servers, echo } = grpcAfterEach();

describe('a unary call committed by response headers', () => {
  it('is not retried when UNAVAILABLE follows the headers', async () => {
    const list = await servers(2);
    for (const s of list) {
      s.say = (call, callback) => {
        call.sendMetadata(new grpc.Metadata()); // the server committed: it is processing the call
        setTimeout(() => callback({ code: grpc.status.UNAVAILABLE, details: 'lost the database mid-write' }), 20);
      };
    }
    const client = echo(list);
    const error = await client.say({ text: 'x' }).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: grpc.status.UNAVAILABLE, details: 'lost the database mid-write' });
    expect(list[0]!.calls + list[1]!.calls).toBe(1);
  });
});
