// bulwark/grpc at its edges, against real grpc-js servers on 127.0.0.1: a caller's failing
// iterable, iterables blocked in next(), bidi call options, pushback on calls not retried, a
// shared caller signal, secrets in ConfigError, and the bulwark:/// resolver's user callbacks
// and unusable updates.
import { EventEmitter, getEventListeners, on } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ConfigError, type AttemptEvent, type Discovery, type EndpointInit } from '../../src/index.js';
import { createGrpcClient, registerGrpcResolver } from '../../src/grpc/index.js';
import type { SayReply__Output, SayRequest } from '../fixtures/grpc/echo-client.js';
import { fail, grpcAfterEach, loadProtos, reply } from '../helpers/grpc-servers.js';
import { openSockets, sleep, until } from '../helpers/lifecycle.js';

const { Echo } = loadProtos();
const { servers, echo, defer } = grpcAfterEach();

/** What a call rejected with (or `undefined` when it resolved). */
async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(() => undefined, (e: unknown) => e);
}

describe('client streams: the caller’s iterable', () => {
  it('an iterable that throws does not count against the endpoint: the caller’s code failed, not the server', async () => {
    const [only] = await servers(1);
    only!.join = (call) => call.on('data', () => {}); // reads, never answers
    const client = echo([only!]);
    const attempts: AttemptEvent[] = [];
    client.bulwark.on('attempt', (e) => attempts.push(e));
    const boom = new Error('source failed');
    for (let i = 0; i < 3; i++) {
      async function* failing(): AsyncGenerator<SayRequest> {
        yield { text: 'x' };
        throw boom;
      }
      await expect(client.join(failing())).rejects.toBe(boom);
    }
    await until(() => attempts.length === 3);
    const stats = client.bulwark.stats().endpoints[0]!;
    expect(stats.failures).toBe(0);
    expect(stats.failuresInARow).toBe(0);
    expect(attempts.every((a) => a.verdict !== 'failure')).toBe(true);
  });

  it('an async iterator waiting for its next message is finished (return()) once the call is cancelled: events.on leaves no listener', async () => {
    const [only] = await servers(1);
    only!.join = (call) => call.on('data', () => {}); // reads, never answers
    const client = echo([only!]);
    const emitter = new EventEmitter();
    const controller = new AbortController();
    const messages = on(emitter, 'message') as AsyncIterableIterator<SayRequest>;
    const call = failure(client.join(messages, { signal: controller.signal }));
    await until(() => only!.streams === 1);
    expect(emitter.listenerCount('message')).toBe(1);
    controller.abort();
    expect(await call).toBeInstanceOf(Error);
    await until(() => only!.cancelled === 1);
    // No message will ever come: the iterator is finished now, its listener removed.
    await until(() => emitter.listenerCount('message') === 0);
  });

  it('an async iterator waiting for its next message is finished once the server answered', async () => {
    const [only] = await servers(1);
    only!.join = (call, callback, server) => call.once('data', () => callback(null, { text: 'enough', server: server.port }));
    const client = echo([only!]);
    const emitter = new EventEmitter();
    let returned = 0;
    const source = on(emitter, 'message');
    const messages: AsyncIterableIterator<SayRequest> = {
      [Symbol.asyncIterator]() { return this; },
      next: async () => ((await source.next()) as IteratorResult<[SayRequest]>).done ? { done: true, value: undefined } : { done: false, value: { text: 'x' } },
      return: async () => { returned++; await source.return!(); return { done: true, value: undefined }; },
    };
    const call = client.join(messages);
    await until(() => only!.streams === 1);
    emitter.emit('message', { text: 'one' });
    expect(await call).toMatchObject({ text: 'enough' });
    await until(() => returned === 1);
    expect(emitter.listenerCount('message')).toBe(0);
  });
});

describe('bidi streams take call options as the other methods do', () => {
  it('bad options are a ConfigError naming them, as for a unary call, and nothing is sent', async () => {
    const [only] = await servers(1);
    const client = echo([only!]);
    for (const bad of [{ timeout: 5_000 }, { timeout: { total: 1_000, atempt: 50 } }, { timeout: null }, null, 'fast'] as never[]) {
      const unary = await failure(client.say({ text: 'x' }, bad));
      expect(unary).toBeInstanceOf(ConfigError);
      const bidi = await client.chat(bad).then((stream) => {
        stream.on('error', () => {});
        stream.cancel();
        return 'a stream';
      }, (e: unknown) => e);
      expect(bidi, JSON.stringify(bad)).toBeInstanceOf(ConfigError);
      expect((bidi as ConfigError).path).toBe((unary as ConfigError).path);
    }
    await sleep(20);
    expect(only!.streams + only!.calls).toBe(0);
  });

  it('a good total timeout still bounds the bidi stream', async () => {
    const [only] = await servers(1);
    only!.chat = (call) => call.on('data', () => {}); // never answers
    const client = echo([only!]);
    const started = performance.now();
    const chat = await client.chat({ timeout: { total: 150 } });
    await new Promise((resolve) => chat.on('error', resolve).on('data', () => {}));
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('grpc-retry-pushback-ms on a status that is not retried', () => {
  it('the endpoint that pushed back on a non-idempotent call (RESOURCE_EXHAUSTED) gets no calls for that long, as with Retry-After', async () => {
    const list = await servers(2);
    list[0]!.say = fail(grpc.status.RESOURCE_EXHAUSTED, 'slow down', { 'grpc-retry-pushback-ms': '60000' });
    const client = echo(list);
    // Round robin reaches the first server within two calls; its answer is returned as it is (not retried).
    const reached = (): boolean => list[0]!.calls > 0;
    for (let i = 0; i < 2 && !reached(); i++) {
      const result = await failure(client.say({ text: 'x' }));
      if (reached()) expect(result).toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'slow down' });
    }
    expect(list[0]!.calls).toBe(1);
    for (let i = 0; i < 6; i++) expect((await client.say({ text: 'x' })).server).toBe(list[1]!.port);
    expect(list[0]!.calls).toBe(1);
    expect(client.bulwark.stats().endpoints.find((e) => e.id.endsWith(`:${list[0]!.port}`))!.health!.pausedFor).toBeGreaterThan(0);
  });

  it('INVALID_ARGUMENT with a pushback trailer still says nothing about the endpoint', async () => {
    const list = await servers(2);
    for (const s of list) s.say = fail(grpc.status.INVALID_ARGUMENT, 'bad', { 'grpc-retry-pushback-ms': '60000' });
    const client = echo(list);
    for (let i = 0; i < 2; i++) expect(await failure(client.say({ text: 'x' }))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    expect(list.map((s) => s.calls)).toEqual([1, 1]);
    expect(client.bulwark.stats().endpoints.every((e) => e.health!.pausedFor === null && e.failures === 0)).toBe(true);
  });
});

describe('a caller signal shared by many streams', () => {
  it('gets one abort listener, not one per stream (server and bidi), and still cancels every stream', async () => {
    const [only] = await servers(1);
    only!.count = (call, server) => call.write({ text: 'first', server: server.port }); // then stays open
    const client = echo([only!]);
    const controller = new AbortController();
    const signal = controller.signal;
    const warnings: Error[] = [];
    const warned = (w: Error): void => { if (w.name === 'MaxListenersExceededWarning') warnings.push(w); };
    process.on('warning', warned);
    defer(async () => { process.off('warning', warned); });
    const streams: (grpc.ClientReadableStream<SayReply__Output> | grpc.ClientDuplexStream<SayRequest, SayReply__Output>)[] = [];
    for (let i = 0; i < 12; i++) {
      const count = await client.count({ count: 1 }, { signal });
      count.on('error', () => {}).on('data', () => {});
      const chat = await client.chat({ signal });
      chat.on('error', () => {}).on('data', () => {});
      chat.write({ text: 'hi' });
      streams.push(count, chat);
    }
    await until(() => only!.streams === 24);
    await until(() => client.bulwark.stats().calls.inflight === 0);
    expect(getEventListeners(signal, 'abort').length).toBeLessThanOrEqual(1);
    controller.abort();
    await until(() => only!.cancelled === 24);
    await sleep(20);
    expect(warnings).toEqual([]);
  });
});

describe('values that may hold secrets are not echoed in ConfigError', () => {
  it('metadata that is not a grpc-js Metadata (a Map, header pairs, a string)', async () => {
    const [only] = await servers(1);
    const client = echo([only!]);
    const secret = 'Bearer s3cr3t-t0ken';
    for (const metadata of [new Map([['authorization', secret]]), [['authorization', secret]], secret, new Headers({ authorization: secret })]) {
      const error = await failure(client.say({ text: 'x' }, { metadata: metadata as never }));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ path: 'metadata' });
      const shown = `${(error as Error).message} ${JSON.stringify((error as ConfigError).value)} ${String((error as ConfigError).value)}`;
      expect(shown).not.toContain('s3cr3t');
      expect((error as ConfigError).value instanceof Map || (error as ConfigError).value instanceof Headers).toBe(false);
    }
  });

  it('credentials that are not grpc-js ChannelCredentials (a token string, a key Buffer)', () => {
    for (const credentials of ['s3cr3t-t0ken', Buffer.from('-----BEGIN PRIVATE KEY----- s3cr3t')]) {
      let error: unknown;
      try {
        createGrpcClient(Echo, { name: 'x', discovery: [], credentials: credentials as never });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ path: 'credentials' });
      expect((error as Error).message).not.toContain('s3cr3t');
      expect(Buffer.isBuffer((error as ConfigError).value)).toBe(false);
      expect(String((error as ConfigError).value)).not.toContain('s3cr3t');
    }
  });
});

/** Calls Say on a plain grpc-js client; resolves with the reply or the error. */
function say(client: InstanceType<typeof Echo>, ms = 2_000): Promise<SayReply__Output | grpc.ServiceError> {
  return new Promise((resolve) => client.say({ text: 'x' }, { deadline: Date.now() + ms }, (err, value) => resolve(err ?? value!)));
}

/** A plain grpc-js client on `target`, closed after the test. */
function plainClient(target: string): InstanceType<typeof Echo> {
  const client = new Echo(target, grpc.credentials.createInsecure());
  defer(async () => client.close());
  return client;
}

describe('the bulwark:/// resolver', () => {
  it('refuses onRejected and onError that are not functions, with ConfigError naming them', () => {
    for (const key of ['onRejected', 'onError'] as const) {
      let error: unknown;
      try {
        const { unregister } = registerGrpcResolver(`review-${key}`, ['127.0.0.1:1'], { [key]: 42 } as never);
        defer(unregister);
      } catch (err) {
        error = err;
      }
      expect(error, key).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ path: key });
    }
  });

  it('an onRejected that throws costs the update none of its valid endpoints', async () => {
    const [a] = await servers(1);
    const { target, unregister } = registerGrpcResolver('review-throwing-callback', ['not an endpoint !!', a!.address], {
      onRejected: () => { throw new Error('listener bug'); },
    });
    defer(unregister);
    expect(await say(plainClient(target))).toMatchObject({ server: a!.port });
  });

  it('an update with entries but none valid is a failed refresh: channels keep the last good set, onError hears it', async () => {
    const [a] = await servers(1);
    let push: (list: readonly EndpointInit[]) => void = () => {};
    const discovery: Discovery = { watch(update) { push = update; update([a!.address]); return () => {}; } };
    const errors: unknown[] = [];
    const { target, unregister } = registerGrpcResolver('review-all-invalid', discovery, { onError: (e) => errors.push(e) });
    defer(unregister);
    const client = plainClient(target);
    expect(await say(client)).toMatchObject({ server: a!.port });
    push(['not an endpoint !!', 'neither is this !!']);
    await sleep(50);
    expect(await say(client, 1_000)).toMatchObject({ server: a!.port });
    expect(errors).toHaveLength(1);
    expect(String((errors[0] as Error).message)).toMatch(/none was a valid endpoint/);
    // An empty list is a real answer, not a failure.
    push([]);
    await sleep(50);
    expect(await say(client, 300)).toMatchObject({ code: expect.any(Number) });
    expect(errors).toHaveLength(1);
  });
});

void reply;

describe('closing through users.bulwark', () => {
  it('users.bulwark.close() closes the channels and cancels running streams too, as users.close() does', async () => {
    const [only] = await servers(1);
    only!.count = (call, server) => call.write({ text: 'first', server: server.port }); // then stays open
    const before = openSockets();
    const client = echo([only!]);
    await client.say({ text: 'x' });
    const count = await client.count({ count: 1 });
    count.on('error', () => {}).on('data', () => {});
    expect(openSockets()).toBeGreaterThan(before);
    await client.bulwark.close();
    await until(() => only!.cancelled === 1);
    // At most as many as before: a socket an earlier test left may close meanwhile too.
    await until(() => openSockets() <= before, 5_000);
    await client.close(); // the same close, once
  });
});
