// What broke: aborting a signal shared by several open server streams, when one of the client interceptors' cancel threw, crashed the process with an uncaught exception and left the other streams on that signal uncancelled, running on the server.
//
// docs/grpc.md: "the call's `signal` cancels the stream for as long as it runs". After
// establishment the stream follows the caller's signal through followCaller (src/grpc/call-life.ts),
// whose `interrupt` called `call.cancel()` unguarded; grpc-js runs a client interceptor's `cancel`
// (user code) inside it. The throw escaped the one abort listener bulwark keeps per signal
// (src/call/caller-signal.ts): the loop over the signal's streams stopped at it and the error
// became uncaught. close() (OpenStreams.cancelAll), the attempt's own cancel hook and the health
// check already guarded the same call; now followCaller's interrupt does too, and the signal's
// listener guards each follower (test/unit/caller-signal-throwing-follower.test.ts), so one that
// throws stops neither the others nor the listener clearing its set. Real grpc-js servers on
// 127.0.0.1.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { grpcAfterEach } from '../helpers/grpc-servers.js';
import { sleep, until } from '../helpers/lifecycle.js';

const { servers, echo } = grpcAfterEach();

describe("a caller's abort of established streams", () => {
  it('cancels every stream on the signal, and a throwing interceptor cancel is not an uncaught exception', async () => {
    const list = await servers(1);
    // Streams that stay open: headers and one message, never ended.
    list[0]!.count = (call) => {
      call.sendMetadata(new grpc.Metadata());
      call.write({ text: 'a' });
    };
    // The first call's interceptor has a cancel that throws; the second's is fine.
    let made = 0;
    const interceptor: grpc.Interceptor = (options, next) => {
      made++;
      const requester = made === 1 ? { cancel: () => { throw new Error('interceptor cancel failed'); } } : {};
      return new grpc.InterceptingCall(next(options), requester);
    };
    const client = echo(list, { callOptions: { interceptors: [interceptor] } });
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown): void => { uncaught.push(err); };
    process.prependListener('uncaughtException', onUncaught);
    try {
      const shutdown = new AbortController(); // one signal for both, as a server's shutdown signal would be
      const first = await client.count({ count: 1 }, { signal: shutdown.signal });
      const second = await client.count({ count: 1 }, { signal: shutdown.signal });
      let secondEnded: number | undefined;
      first.on('error', () => {});
      first.on('data', () => {});
      second.on('error', (e: grpc.ServiceError) => { secondEnded = e.code; });
      second.on('data', () => {});
      await sleep(50);

      shutdown.abort(new Error('shutting down'));
      await sleep(200);

      expect(uncaught.map(String)).toEqual([]);
      // The second stream's own cancel works: the abort must reach it.
      await until(() => secondEnded !== undefined, 1_000).catch(() => {});
      expect(secondEnded).toBe(grpc.status.CANCELLED);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
