// What broke: a per-call `classify` was accepted by gRPC methods and never called.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { fail, grpcAfterEach } from '../helpers/grpc-servers.js';

const { servers, echo } = grpcAfterEach();

describe('per-call options', () => {
  // docs/grpc.md: per-call options are "the same as execute's, plus metadata"; execute's include
  // `classify`, and the gRPC method accepts the key (validated as a function) — then never calls it.
  it('a per-call classify is applied to a gRPC call (its verdict retries a NOT_FOUND), not silently ignored', async () => {
    const list = await servers(2);
    for (const s of list) s.say = fail(grpc.status.NOT_FOUND);
    const client = echo(list, { retry: { backoff: { base: 1, cap: 1 } } });
    let classified = 0;
    const error = await client.say({ text: 'x' }, { classify: () => { classified++; return 'retry'; } } as never).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ConfigError);
    expect((error as { code?: unknown }).code).toBe(grpc.status.NOT_FOUND);
    // Judged 'retry' each time: every attempt the default three allow was made.
    expect(classified).toBe(3);
    expect(list.reduce((n, s) => n + s.calls, 0)).toBe(3);
  });
});
