// What broke (docs/grpc.md: a request refused locally "ends 'cancelled' with reason `invalid
// request`" and is not counted against the endpoint; README: a user's plugin cannot make
// bulwark misbehave; found by the hostile-plugins review of bulwark/grpc). A client interceptor
// of the caller's that throws as the call starts, or call metadata whose `clone` throws, failed
// the attempt before anything was sent, and the error was judged a network failure: a failure
// of the endpoint, retried on the others for idempotent methods. Six `lookup` calls made 17
// attempts, ejected a healthy server and sent it nothing. Now such an attempt is an invalid
// request: not retried, nothing against the endpoint, and the call rejects with the error as
// it is. Real grpc-js servers on 127.0.0.1.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { AttemptEvent } from '../../src/index.js';
import { grpcAfterEach } from '../helpers/grpc-servers.js';

const { servers, echo } = grpcAfterEach();

const boom = new Error('interceptor boom');
const throwingInterceptor: grpc.Interceptor = () => {
  throw boom;
};

describe('a gRPC call that cannot start (its interceptor or metadata throws)', () => {
  for (const method of ['say', 'lookup', 'count', 'join', 'chat'] as const) {
    it(`${method}: an interceptor that throws is an invalid request, not a failure of the endpoints`, async () => {
      const list = await servers(2);
      const client = echo(list, { callOptions: { interceptors: [throwingInterceptor] } });
      const events: AttemptEvent[] = [];
      client.bulwark.on('attempt', (e) => events.push(e));
      for (let i = 0; i < 4; i++) {
        const call: Promise<unknown> =
          method === 'say' ? client.say({ text: 'x' })
            : method === 'lookup' ? client.lookup({ text: 'x' })
              : method === 'count' ? client.count({ count: 1 })
                : method === 'join' ? client.join([{ text: 'a' }])
                  : client.chat();
        await expect(call).rejects.toBe(boom);
      }
      expect(events.map((e) => `${e.verdict}: ${e.reason}`)).toEqual(Array(4).fill('cancelled: invalid request'));
      const stats = client.bulwark.stats();
      expect(stats.attempts).toBe(4);
      expect(stats.endpoints.map((e) => [e.failures, e.health?.status])).toEqual([[0, 'healthy'], [0, 'healthy']]);
      expect(list.map((s) => s.calls + s.streams)).toEqual([0, 0]);
    });
  }

  it('a thrown Error whose message getter throws is an invalid request too (a diff review: it was retried on every endpoint)', async () => {
    const list = await servers(2);
    const hostile = new Error('x');
    Object.defineProperty(hostile, 'message', { get() { throw new Error('message getter'); } });
    const client = echo(list, { callOptions: { interceptors: [() => { throw hostile; }] } });
    await expect(client.lookup({ text: 'x' })).rejects.toBe(hostile);
    const stats = client.bulwark.stats();
    expect(stats.attempts).toBe(1);
    expect(stats.endpoints.every((e) => e.failures === 0)).toBe(true);
  });

  it('a thrown string: the call rejects with an Error whose cause it is (a WeakSet cannot mark a string)', async () => {
    const list = await servers(2);
    const client = echo(list, { callOptions: { interceptors: [() => { throw 'refused'; }] } });
    const error = await client.lookup({ text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).cause).toBe('refused');
    expect(client.bulwark.stats().attempts).toBe(1);
  });

  it('metadata whose clone throws: the same, for an idempotent method', async () => {
    const list = await servers(2);
    const client = echo(list);
    const metadata = new grpc.Metadata();
    const cloneFailed = new Error('clone boom');
    metadata.clone = () => { throw cloneFailed; };
    for (let i = 0; i < 3; i++) await expect(client.lookup({ text: 'x' }, { metadata })).rejects.toBe(cloneFailed);
    const stats = client.bulwark.stats();
    expect(stats.attempts).toBe(3);
    expect(stats.endpoints.every((e) => e.failures === 0 && e.health?.status === 'healthy')).toBe(true);
  });
});
