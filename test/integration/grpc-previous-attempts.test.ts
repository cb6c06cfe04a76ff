// What broke (bulwark/grpc): docs/grpc.md says bulwark's retries "do what grpc-js's do (status-code
// policy, backoff, pushback, hedging)" and turns grpc-js's own off. gRFC A6 (which the docs cite
// for pushback and commit) has every retry and hedge carry `grpc-previous-rpc-attempts`, the
// number of attempts before it, so a server can tell a retry from a first call; grpc-js sets it
// (retrying-call.ts, PREVIONS_RPC_ATTEMPTS_METADATA_KEY). bulwark's attempts never carried it.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { grpcAfterEach, reply } from '../helpers/grpc-servers.js';

const { servers, echo } = grpcAfterEach();

describe('gRFC A6 retry metadata', () => {
  it('a retry carries grpc-previous-rpc-attempts, as grpc-js’s own retries send it', async () => {
    const list = await servers(3);
    const previous: unknown[] = [];
    let calls = 0;
    for (const s of list) {
      s.say = (call, callback, server) => {
        previous.push(call.metadata.get('grpc-previous-rpc-attempts')[0]);
        if (calls++ < 2) callback({ code: grpc.status.UNAVAILABLE, details: 'draining' });
        else reply(call, callback, server);
      };
    }
    const client = echo(list, { retry: { backoff: { base: 1, cap: 1 } } });
    await client.say({ text: 'x' });
    expect(previous).toEqual([undefined, '1', '2']);
  });
});
