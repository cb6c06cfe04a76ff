// What broke (bulwark/grpc): a hedge answered with a negative `grpc-retry-pushback-ms` (gRFC A6:
// "do not retry") ended the hedge round as a final answer: the first attempt, still running and
// about to succeed, was cancelled and the call rejected. A6 stops further hedges and retries, not
// the hedges already sent: the call now waits for them, sends no more, and retries nothing.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { grpcAfterEach, reply, type SayHandler } from '../helpers/grpc-servers.js';

const { servers, echo } = grpcAfterEach();

/** The first call (on whichever server) answers after `slowMs`; every later one fails at once with UNAVAILABLE and a pushback of -1. */
function slowThenPushback(slowMs: number): { handler: SayHandler; calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    handler: (call, callback, server) => {
      if (calls++ === 0) {
        const timer = setTimeout(() => reply(call, callback, server), slowMs);
        call.on('cancelled', () => clearTimeout(timer));
      } else {
        const trailers = new grpc.Metadata();
        trailers.set('grpc-retry-pushback-ms', '-1');
        callback({ code: grpc.status.UNAVAILABLE, details: 'shedding', metadata: trailers });
      }
    },
  };
}

describe('a negative pushback on a hedge (gRFC A6)', () => {
  it('does not end the round: the attempt still running answers the call, and nothing more is sent', async () => {
    const list = await servers(3);
    const behaviour = slowThenPushback(300);
    for (const s of list) s.say = behaviour.handler;
    const client = echo(list, { hedge: { delay: 40, maxExtraLoad: 1 }, retry: { attempts: 3, backoff: { base: 1, cap: 1 } } });
    const answer = await client.lookup({ text: 'x' });
    expect(answer.text).toBe('x');
    // The first attempt and one hedge: the pushback stopped the next hedge (without it, one follows a failed hedge at once).
    expect(behaviour.calls()).toBe(2);
  });

  // Held already before the fix (the pushback ended the call); it guards the waiting round: once
  // the attempt it waited for fails as well, that failure is not retried.
  it('when the attempt still running fails too, the call is not retried', async () => {
    const list = await servers(3);
    let calls = 0;
    for (const s of list) {
      s.say = (call, callback) => {
        const n = calls++;
        const trailers = new grpc.Metadata();
        if (n === 1) trailers.set('grpc-retry-pushback-ms', '-1');
        // The first attempt fails later with a retryable status; the hedge pushes back at once.
        setTimeout(() => callback({ code: grpc.status.UNAVAILABLE, details: 'busy', metadata: trailers }), n === 0 ? 200 : 0);
      };
    }
    const client = echo(list, { hedge: { delay: 40, maxExtraLoad: 1 }, retry: { attempts: 3, backoff: { base: 1, cap: 1 } } });
    const error = await client.lookup({ text: 'x' }).then(() => undefined, (e: unknown) => e);
    expect((error as grpc.ServiceError).code).toBe(grpc.status.UNAVAILABLE);
    expect(calls).toBe(2);
  });
});
