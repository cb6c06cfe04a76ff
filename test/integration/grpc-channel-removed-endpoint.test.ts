// What broke: discovery removing an endpoint closed its channel at once, failing a call still
// waiting for it to connect (UNAVAILABLE "Channel closed before call started"); the channel now
// closes once its calls have ended.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { type EndpointInit } from '../../src/index.js';
import { grpcAfterEach } from '../helpers/grpc-servers.js';

const { servers, echo } = grpcAfterEach();

describe('channel of a removed endpoint', () => {
  // docs/grpc.md "Endpoints and channels": the channel is "closed when discovery removes the
  // endpoint (calls running on it finish first)"; README: a refused/not-sent attempt is retried
  // "without drawing on the budget". grpc-js's channel.close() fails every call still waiting
  // for a connection with UNAVAILABLE "Channel closed before call started": nothing was sent,
  // yet bulwark neither lets the call finish nor treats it as not sent.
  it('a call waiting for its channel to connect when discovery removes the endpoint is not failed (it finishes, or moves on as not sent)', async () => {
    const [a, b] = await servers(2);
    let push: (list: readonly EndpointInit[]) => void = () => {};
    const client = echo([], {
      discovery: { watch(update) { push = update; update([a!.address]); return () => {}; } },
      // No budget for ordinary retries: only retries of attempts that provably sent nothing go.
      retry: { budget: { ratio: 0, minPerSecond: 0 }, backoff: { base: 1, cap: 1 } },
    });
    const call = client.say({ text: 'x' }).then((value) => ({ value }), (error: unknown) => ({ error }));
    // The attempt has started on a's channel, which is still connecting (its first call).
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(a!.calls).toBe(0);
    push([b!.address]);
    const result = await call;
    expect((result as { error?: { details?: string } }).error?.details).toBeUndefined();
    expect([a!.port, b!.port]).toContain((result as { value: { server: number } }).value.server);
  });
});
