// What broke (bulwark/grpc): what a retried (or hedged) call sends. grpc-js serializes a unary request
// when the call is made (BaseInterceptingCall.sendMessageWithContext), and its own retries resend
// those bytes; bulwark kept a reference to the caller's object (and array of client-stream
// messages) and serialized it again at each attempt, so a caller that reused its object after
// making the call had a different request sent — and answered — on a retry.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { grpcAfterEach, reply, type GrpcTestServer } from '../helpers/grpc-servers.js';

const { servers, echo } = grpcAfterEach();

/** Every server records the texts it received; the very first call anywhere is refused with UNAVAILABLE (retried for every call). */
function refuseFirst(list: readonly GrpcTestServer[], seen: string[]): void {
  let calls = 0;
  for (const s of list) {
    s.say = (call, callback, server) => {
      seen.push(call.request.text ?? '');
      if (calls++ === 0) callback({ code: grpc.status.UNAVAILABLE, details: 'draining' });
      else reply(call, callback, server);
    };
  }
}

describe('the request a retry sends', () => {
  it('is the request the caller made the call with, not the object as it is when the retry starts', async () => {
    const list = await servers(2);
    const seen: string[] = [];
    refuseFirst(list, seen);
    const client = echo(list, { retry: { backoff: { base: 1, cap: 1 } } });
    // A request object reused for the next call once this one is made (safe with grpc-js, which serialized it).
    const request = { text: 'order-1' };
    const pending = client.say(request);
    request.text = 'order-2';
    const answer = await pending;
    // The first attempt sent order-1; its retry sent (and got an answer for) order-2.
    expect(seen).toEqual(['order-1', 'order-1']);
    expect(answer.text).toBe('order-1');
  });

  it('a client stream from an array sends the messages the array held when the call was made', async () => {
    const list = await servers(1);
    const client = echo(list);
    const batch = [{ text: 'a' }, { text: 'b' }, { text: 'c' }];
    const pending = client.join(batch);
    batch.length = 0; // the caller starts its next batch in the same array
    // Only the first message was read before the call returned: the server joined 'a' and the call succeeded.
    expect((await pending).text).toBe('a b c');
  });
});
