// What broke: registerGrpcResolver's bridge read a discovery update with Array.from and, when
// that threw, built its message with String(thrown). A value String() cannot convert (an
// object without a prototype, one whose toString throws) then threw a TypeError back into the
// user's discovery, from inside its own `update(...)` call, and `onError` never heard of it; an
// `error(...)` given such a value threw back the same way, and a rejected entry's reason that is
// no string reached `onRejected` as it was (declared a string).
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Discovery, EndpointInit } from '../../src/index.js';
import { registerGrpcResolver } from '../../src/grpc/index.js';
import type { EchoClient } from '../fixtures/grpc/echo-client.js';
import { loadProtos } from '../helpers/grpc-servers.js';

const { Echo } = loadProtos();

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** An iterable whose iteration throws `thrown`. */
function throwing(thrown: unknown): readonly EndpointInit[] {
  return { [Symbol.iterator]: () => { throw thrown; } } as unknown as readonly EndpointInit[];
}

describe('the grpc resolver given an update it cannot read', () => {
  const unprintable: [string, unknown][] = [
    ['an object without a prototype', Object.create(null)],
    ['an object whose toString throws', { toString: () => { throw new Error('no'); } }],
  ];
  for (const [i, [what, thrown]] of unprintable.entries()) {
    for (const how of ['an update whose iteration throws it', 'error() given it'] as const) it(`reports ${what} (${how}) to onError and throws nothing back into the discovery`, async () => {
      let update: ((list: readonly EndpointInit[]) => void) | undefined;
      let fail: ((error: unknown) => void) | undefined;
      const discovery: Discovery = { watch: (u, e) => { update = u; fail = e; return () => {}; } };
      const errors: unknown[] = [];
      const handle = registerGrpcResolver(`unreadable-${i}-${how.length}`, discovery, { onError: (e) => errors.push(e) });
      cleanups.push(() => handle.unregister());
      // The bridge watches once a grpc-js channel resolves the name.
      const client = new Echo(`bulwark:///unreadable-${i}-${how.length}`, grpc.credentials.createInsecure()) as unknown as EchoClient;
      cleanups.push(() => client.close());
      const call = new Promise<grpc.ServiceError | null>((resolve) => client.say({ text: 'x' }, { deadline: Date.now() + 5_000 }, (err) => resolve(err)));
      for (let i = 0; i < 100 && update === undefined; i++) await new Promise((r) => setTimeout(r, 10));
      expect(update).toBeDefined();
      expect(() => (how === 'error() given it' ? fail!(thrown) : update!(throwing(thrown)))).not.toThrow();
      expect(errors).toEqual([thrown]);
      // The channel hears of the failure (no set was ever known): the call fails with it, not at its deadline.
      const err = await call;
      expect(err?.code).toBe(grpc.status.UNAVAILABLE);
      expect(err?.details).toContain('discovery failed: a thrown object that cannot be shown as text');
    });
  }

  it('gives onRejected a rejected entry\'s reason as text, whatever the discovery reported', async () => {
    const reasons: unknown[] = [];
    const discovery: Discovery = {
      watch: (update, _error, rejected) => {
        queueMicrotask(() => {
          rejected?.('10.0.0.1:1', Object.create(null) as string);
          rejected?.('10.0.0.2:1', 42 as unknown as string);
          update(['127.0.0.1:1']);
        });
        return () => {};
      },
    };
    const handle = registerGrpcResolver('unreadable-reason', discovery, { onRejected: (_entry, reason) => reasons.push(reason) });
    cleanups.push(() => handle.unregister());
    const client = new Echo('bulwark:///unreadable-reason', grpc.credentials.createInsecure()) as unknown as EchoClient;
    cleanups.push(() => client.close());
    client.say({ text: 'x' }, { deadline: Date.now() + 200 }, () => {});
    for (let i = 0; i < 100 && reasons.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(reasons).toEqual(['(a reason that could not be read)', '42']);
  });
});
