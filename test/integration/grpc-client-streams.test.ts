// bulwark/grpc client-streaming and bidi-streaming calls against three real grpc-js servers on 127.0.0.1.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ClientClosedError, ConfigError, NoEndpointsError, type AttemptEvent } from '../../src/index.js';
import { createGrpcClient } from '../../src/grpc/index.js';
import type { SayReply__Output, SayRequest } from '../fixtures/grpc/echo-client.js';
import { grpcAfterEach, loadProtos, type GrpcTestServer } from '../helpers/grpc-servers.js';
import { until } from '../helpers/lifecycle.js';

const { Echo } = loadProtos();
const { servers, echo, defer } = grpcAfterEach();

const refuseJoin: GrpcTestServer['join'] = (_call, callback) => callback({ code: grpc.status.UNAVAILABLE, details: 'draining' });

describe('client streams', () => {
  it('send the messages and resolve with the response; typed from the generated client', async () => {
    const list = await servers();
    const client = echo(list);
    expectTypeOf(client.join).parameter(0).toEqualTypeOf<readonly SayRequest[] | Iterable<SayRequest> | AsyncIterable<SayRequest>>();
    expectTypeOf(client.join).returns.resolves.toEqualTypeOf<SayReply__Output>();
    expect(await client.join([{ text: 'a' }, { text: 'b' }, { text: 'c' }])).toMatchObject({ text: 'a b c' });
    async function* lines(): AsyncGenerator<SayRequest> {
      yield { text: 'one' };
      yield { text: 'two' };
    }
    expect(await client.join(lines())).toMatchObject({ text: 'one two' });
  });

  it('an array of messages is sent again to another server after UNAVAILABLE', async () => {
    const list = await servers();
    list[0]!.join = refuseJoin;
    list[1]!.join = refuseJoin;
    const client = echo(list);
    const reply = await client.join([{ text: 'x' }, { text: 'y' }]);
    expect(reply).toMatchObject({ text: 'x y', server: list[2]!.port });
  });

  it('a generator is read once, so its call gets one attempt', async () => {
    const list = await servers();
    for (const s of list) s.join = refuseJoin;
    const client = echo(list);
    function* once(): Generator<SayRequest> {
      yield { text: 'x' };
    }
    const error = (await client.join(once()).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    expect(list.reduce((n, s) => n + s.streams, 0)).toBe(1);
  });

  it('an iterable that throws fails the call with what it threw, and cancels the stream', async () => {
    const list = await servers(1);
    list[0]!.join = () => {}; // waits for the end that never comes
    const client = echo(list);
    const boom = new Error('source failed');
    async function* failing(): AsyncGenerator<SayRequest> {
      yield { text: 'x' };
      await until(() => list[0]!.streams === 1); // the server has the call
      throw boom;
    }
    await expect(client.join(failing())).rejects.toBe(boom);
    await until(() => list[0]!.cancelled === 1);
    expect(list[0]!.cancelled).toBe(1);
    await expect(client.join(42 as never)).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('bidi streams', () => {
  it('resolve with the grpc-js duplex stream once an endpoint is picked; messages flow both ways', async () => {
    const list = await servers();
    const client = echo(list);
    expectTypeOf(client.chat).returns.resolves.toEqualTypeOf<grpc.ClientDuplexStream<SayRequest, SayReply__Output>>();
    const chats = await Promise.all([1, 2, 3].map(() => client.chat()));
    const replies = await Promise.all(chats.map(async (chat, i) => {
      const got: string[] = [];
      chat.on('data', (m: SayReply__Output) => got.push(m.text));
      chat.write({ text: `hello ${i}` });
      chat.write({ text: `bye ${i}` });
      chat.end();
      await new Promise((resolve) => chat.on('end', resolve));
      return got;
    }));
    expect(replies).toEqual([['hello 0', 'bye 0'], ['hello 1', 'bye 1'], ['hello 2', 'bye 2']]);
    expect(list.map((s) => s.streams)).toEqual([1, 1, 1]);
    await until(() => client.bulwark.stats().calls.inflight === 0);
    expect(client.bulwark.stats().endpoints.map((e) => e.successes)).toEqual([1, 1, 1]);
  });

  it('get one attempt, never retried: an UNAVAILABLE status arrives on the stream and counts against the endpoint', async () => {
    const list = await servers(1);
    list[0]!.chat = (call) => call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'draining' });
    const client = echo(list);
    const attempts: AttemptEvent[] = [];
    client.bulwark.on('attempt', (e) => attempts.push(e));
    const chat = await client.chat();
    const error = await new Promise<grpc.ServiceError>((resolve) => chat.on('error', resolve));
    expect(error).toMatchObject({ code: grpc.status.UNAVAILABLE, details: 'draining' });
    await until(() => attempts.length === 1);
    expect(attempts).toMatchObject([{ verdict: 'failure', reason: 'UNAVAILABLE' }]);
    expect(list[0]!.streams).toBe(1);
  });

  it('the caller’s abort, the deadline and close() cancel the stream on the server', async () => {
    const list = await servers(1);
    list[0]!.chat = () => {}; // never answers
    const client = echo(list);
    const controller = new AbortController();
    const aborted = await client.chat({ signal: controller.signal });
    aborted.on('error', () => {});
    await until(() => list[0]!.streams === 1);
    controller.abort();
    await until(() => list[0]!.cancelled === 1);
    const timed = await client.chat({ timeout: { total: 100 } });
    const timeout = await new Promise<grpc.ServiceError>((resolve) => timed.on('error', resolve));
    expect([grpc.status.CANCELLED, grpc.status.DEADLINE_EXCEEDED]).toContain(timeout.code);
    await until(() => list[0]!.cancelled === 2);
    const open = await client.chat();
    open.on('error', () => {});
    await until(() => list[0]!.streams === 3);
    await client.close();
    await until(() => list[0]!.cancelled === 3);
    expect(list[0]!.cancelled).toBe(3);
    await expect(client.chat()).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('close() cancels streams already answered too (a bidi and a server stream): nothing outlives the client', async () => {
    const list = await servers(1);
    list[0]!.count = (call, server) => call.write({ text: 'first', server: server.port }); // then keeps it open
    const client = echo(list);
    const chat = await client.chat();
    chat.on('error', () => {});
    const reply = new Promise((resolve) => chat.once('data', resolve));
    chat.write({ text: 'hi' });
    await reply;
    const count = await client.count({ count: 1 });
    count.on('error', () => {});
    await new Promise((resolve) => count.once('data', resolve));
    await until(() => client.bulwark.stats().calls.inflight === 0);
    expect(list[0]!.cancelled).toBe(0);
    await client.close();
    await until(() => list[0]!.cancelled === 2);
    expect(list[0]!.cancelled).toBe(2);
  });

  it('fail before any attempt with the pipeline’s error (no endpoints)', async () => {
    const client = createGrpcClient(Echo, { name: 'nobody', discovery: [] });
    defer(() => client.close());
    await expect(client.chat({ timeout: { total: 100 } })).rejects.toBeInstanceOf(NoEndpointsError);
  });
});
