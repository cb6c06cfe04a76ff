// A `grpc-retry-pushback-ms` on a status not retried for the call paused its endpoint only when
// that code was in `codes.retryIdempotent`: with `codes: { retryIdempotent: [] }`, a
// RESOURCE_EXHAUSTED pushback of 60 s left the endpoint in rotation. The pushback of UNAVAILABLE
// and RESOURCE_EXHAUSTED (gRPC's 503 and 429) now pauses its endpoint whatever the retry lists
// say, as fetch's Retry-After does (docs/grpc.md).
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { fail, grpcAfterEach } from '../helpers/grpc-servers.js';

const { servers, echo } = grpcAfterEach();

async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(() => undefined, (e: unknown) => e);
}

describe('grpc-retry-pushback-ms with codes the user narrowed', () => {
  it('RESOURCE_EXHAUSTED with a pushback pauses its endpoint even when no retry list holds RESOURCE_EXHAUSTED', async () => {
    const list = await servers(2);
    list[0]!.say = fail(grpc.status.RESOURCE_EXHAUSTED, 'slow down', { 'grpc-retry-pushback-ms': '60000' });
    const client = echo(list, { codes: { retryIdempotent: [] } });
    // Round robin reaches the first server within two calls; its answer is returned (not retried).
    for (let i = 0; i < 2 && list[0]!.calls === 0; i++) await failure(client.say({ text: 'x' }));
    expect(list[0]!.calls).toBe(1);
    // The server asked for 60 s without calls: the next ones must all go to the other server.
    for (let i = 0; i < 6; i++) expect((await client.say({ text: 'x' })).server).toBe(list[1]!.port);
    expect(list[0]!.calls).toBe(1);
  });
});
