// bulwark/grpc against three real grpc-js servers on 127.0.0.1: pushback, gRPC health checks, server streams.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { AttemptEvent, HealthEvent } from '../../src/index.js';
import { createGrpcClient } from '../../src/grpc/index.js';
import { decodeHealthResponse, encodeHealthRequest } from '../../src/grpc/health-check.js';
import type { SayReply__Output } from '../fixtures/grpc/echo-client.js';
import { countUp, fail, grpcAfterEach, loadProtos, reply, type GrpcTestServer } from '../helpers/grpc-servers.js';
import { until } from '../helpers/lifecycle.js';

const { Echo } = loadProtos();
const { servers, echo, defer } = grpcAfterEach();

async function readAll<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

describe('grpc-retry-pushback-ms', () => {
  it('with no other endpoint, the retry waits the pushback', async () => {
    const [only] = await servers(1);
    const at: number[] = [];
    only!.say = (call, callback, server) => {
      at.push(performance.now());
      if (at.length === 1) fail(grpc.status.UNAVAILABLE, 'busy', { 'grpc-retry-pushback-ms': '300' })(call, callback, server);
      else reply(call, callback, server);
    };
    const client = echo([only!]);
    expect((await client.say({ text: 'x' })).server).toBe(only!.port);
    expect(at).toHaveLength(2);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(295);
  });

  it('with others, the retry goes to another at once, and the endpoint that pushed back gets nothing for that long', async () => {
    const list = await servers();
    list[0]!.say = fail(grpc.status.UNAVAILABLE, 'busy', { 'grpc-retry-pushback-ms': '60000' });
    const client = echo(list);
    const started = performance.now();
    for (let i = 0; i < 12; i++) expect((await client.say({ text: 'x' })).server).not.toBe(list[0]!.port);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(list[0]!.calls).toBe(1);
  });

  it('a negative pushback stops retries: the status reaches the caller after one attempt', async () => {
    const list = await servers();
    for (const s of list) s.say = fail(grpc.status.UNAVAILABLE, 'go away', { 'grpc-retry-pushback-ms': '-1' });
    const client = echo(list);
    const error = (await client.say({ text: 'x' }).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    expect(error.details).toBe('go away');
    expect(list.reduce((n, s) => n + s.calls, 0)).toBe(1);
  });
});

describe('grpc.health.v1 checks', () => {
  it('a server whose health service reports NOT_SERVING is ejected and gets no traffic', async () => {
    const list = await servers();
    list[1]!.health.set('bulwark.test.Echo', 'NOT_SERVING');
    const client = echo(list, { healthService: 'bulwark.test.Echo', health: { checks: { interval: 40, unhealthyThreshold: 2 }, ejectionTime: 10_000 } });
    const health: HealthEvent[] = [];
    client.bulwark.on('health', (e) => health.push(e));
    await until(() => health.length > 0);
    expect(health).toMatchObject([{ endpoint: { port: list[1]!.port }, status: 'ejected', reason: expect.stringContaining('NOT_SERVING') }]);
    for (let i = 0; i < 30; i++) await client.say({ text: 'x' });
    expect(list.map((s) => s.calls)).toEqual([15, 0, 15]);
    // SERVING again: re-admitted by passing checks (healthyThreshold 2 by default), without
    // waiting for its ejection to end (which is long, so that no probe call reaches it above).
    list[1]!.health.set('bulwark.test.Echo', 'SERVING');
    await until(() => health.some((e) => e.status === 'healthy'), 5_000);
    expect(health.at(-1)).toMatchObject({ endpoint: { port: list[1]!.port }, status: 'healthy' });
  });

  it('a server without a health service (UNIMPLEMENTED) passes, as in gRPC client-side health checking', async () => {
    const server = new grpc.Server();
    server.addService(loadProtos().echo, { Say: (_call: unknown, callback: grpc.sendUnaryData<object>) => callback(null, {}) });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    defer(async () => server.forceShutdown());
    const client = createGrpcClient(Echo, { name: 'bare', discovery: [`127.0.0.1:${port}`], healthService: '', health: { checks: { interval: 20, unhealthyThreshold: 1 }, maxEjectionPercent: 100 } });
    defer(() => client.close());
    const health: HealthEvent[] = [];
    client.bulwark.on('health', (e) => health.push(e));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(health).toEqual([]);
    expect(await client.say({ text: 'x' })).toMatchObject({ text: '' });
  });

  it("checks with the client's callOptions (its interceptors, its call credentials), as its calls are made", async () => {
    // A server that wants a token on every method, Health/Check included.
    const token = (call: { metadata: grpc.Metadata }): boolean => call.metadata.get('authorization')[0] === 'Bearer t';
    const server = new grpc.Server();
    server.addService(loadProtos().echo, { Say: (call: grpc.ServerUnaryCall<object, object>, callback: grpc.sendUnaryData<object>) => (token(call) ? callback(null, {}) : callback({ code: grpc.status.UNAUTHENTICATED })) });
    server.addService(loadProtos().health, { Check: (call: grpc.ServerUnaryCall<object, object>, callback: grpc.sendUnaryData<object>) => (token(call) ? callback(null, { status: 'SERVING' }) : callback({ code: grpc.status.UNAUTHENTICATED })) });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    defer(async () => server.forceShutdown());
    const auth: grpc.Interceptor = (options, nextCall) => new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set('authorization', 'Bearer t');
        next(metadata, listener);
      },
    });
    const client = createGrpcClient(Echo, { name: 'authed', discovery: [`127.0.0.1:${port}`], callOptions: { interceptors: [auth] }, healthService: '', health: { checks: { interval: 20, unhealthyThreshold: 1 }, maxEjectionPercent: 100 } });
    defer(() => client.close());
    const health: HealthEvent[] = [];
    client.bulwark.on('health', (e) => health.push(e));
    expect(await client.say({ text: 'x' })).toMatchObject({ text: '' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(health).toEqual([]);
  });

  it('an unknown service name (NOT_FOUND) fails the check', async () => {
    const list = await servers(2);
    const client = echo(list, { healthService: 'no.such.Service', health: { checks: { interval: 30, unhealthyThreshold: 1 }, maxEjectionPercent: 100 } });
    const health: HealthEvent[] = [];
    client.bulwark.on('health', (e) => health.push(e));
    await until(() => health.length === 2);
    expect(health.map((e) => [e.status, e.reason])).toEqual([['ejected', expect.stringContaining('NOT_FOUND')], ['ejected', expect.stringContaining('NOT_FOUND')]]);
  });

  it('encodes HealthCheckRequest and decodes HealthCheckResponse in protobuf wire format', () => {
    expect(encodeHealthRequest('')).toEqual(Buffer.alloc(0));
    expect(encodeHealthRequest('a.B')).toEqual(Buffer.from([0x0a, 3, 0x61, 0x2e, 0x42]));
    expect(encodeHealthRequest('x'.repeat(200)).subarray(0, 3)).toEqual(Buffer.from([0x0a, 0xc8, 0x01]));
    expect(decodeHealthResponse(Buffer.alloc(0))).toBe(0);
    expect(decodeHealthResponse(Buffer.from([0x08, 0x01]))).toBe(1);
    expect(decodeHealthResponse(Buffer.from([0x12, 0x01, 0x00, 0x08, 0x02]))).toBe(2); // an unknown field skipped
    expect(() => decodeHealthResponse(Buffer.from([0x08]))).toThrow(/truncated/);
  });
});

describe('server streams', () => {
  it('are picked and established by bulwark, then read as a grpc-js stream', async () => {
    const list = await servers();
    const client = echo(list);
    const streams = await Promise.all([1, 2, 3].map(() => client.count({ count: 4 })));
    const read = await Promise.all(streams.map((s) => readAll<SayReply__Output>(s)));
    expect(read.map((r) => r.map((m) => m.text))).toEqual([['0', '1', '2', '3'], ['0', '1', '2', '3'], ['0', '1', '2', '3']]);
    expect(list.map((s) => s.streams)).toEqual([1, 1, 1]);
    expect(client.bulwark.stats().endpoints.map((e) => e.successes)).toEqual([1, 1, 1]);
  });

  it('a stream refused before its first message is retried on another server', async () => {
    const list = await servers();
    const refuse: GrpcTestServer['count'] = (call) => call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'draining' });
    list[0]!.count = refuse;
    list[1]!.count = refuse;
    const client = echo(list);
    const attempts: AttemptEvent[] = [];
    client.bulwark.on('attempt', (e) => attempts.push(e));
    const stream = await client.count({ count: 3 });
    expect((await readAll<SayReply__Output>(stream)).map((m) => m.server)).toEqual([list[2]!.port, list[2]!.port, list[2]!.port]);
    expect(attempts.at(-1)).toMatchObject({ endpoint: { port: list[2]!.port }, verdict: 'success' });
    expect(attempts.slice(0, -1).every((a) => a.verdict === 'retry' && a.reason === 'UNAVAILABLE')).toBe(true);
  });

  it('is not retried once its first message arrived: the error comes on the stream, after that message', async () => {
    const list = await servers();
    for (const s of list) {
      s.count = (call, server) => {
        call.write({ text: 'first', server: server.port });
        setTimeout(() => call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'crashed mid-stream' }), 20);
      };
    }
    const client = echo(list);
    const stream = await client.count({ count: 5 });
    const got: string[] = [];
    const error = await (async () => {
      try {
        for await (const m of stream) got.push((m as SayReply__Output).text);
      } catch (e) {
        return e as grpc.ServiceError;
      }
      return undefined;
    })();
    expect(got).toEqual(['first']);
    expect(error).toMatchObject({ code: grpc.status.UNAVAILABLE, details: 'crashed mid-stream' });
    expect(list.reduce((n, s) => n + s.streams, 0)).toBe(1);
    expect(client.bulwark.stats().retries).toBe(0);
  });

  it('the caller’s abort cancels an established stream on the server', async () => {
    const list = await servers(1);
    list[0]!.count = (call, server) => call.write({ text: 'hello', server: server.port }); // then nothing
    const client = echo(list);
    const controller = new AbortController();
    const stream = await client.count({ count: 1 }, { signal: controller.signal });
    stream.on('error', () => {});
    controller.abort();
    await until(() => list[0]!.cancelled === 1);
    expect(list[0]!.cancelled).toBe(1);
  });

  it('an empty stream that ends OK is established too', async () => {
    const list = await servers(1);
    list[0]!.count = countUp;
    const client = echo(list);
    expect(await readAll(await client.count({ count: 0 }))).toEqual([]);
  });
});
