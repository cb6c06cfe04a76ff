// bulwark/grpc edges a second review found, each failing before its fix: a server stream's
// response headers reached no 'metadata' listener of the caller's (they established the stream
// before the caller had it); a bidi stream its caller cancelled before the server answered was
// a successful attempt; a refused connection did not count against its endpoint when
// codes.unhealthy left UNAVAILABLE out; an empty set from the resolver bridge made calls queue
// until their deadline (for ever without one). Real grpc-js servers on 127.0.0.1.
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { AttemptEvent, Discovery, EndpointInit } from '../../src/index.js';
import { registerGrpcResolver } from '../../src/grpc/index.js';
import type { EchoClient, SayReply__Output } from '../fixtures/grpc/echo-client.js';
import { grpcAfterEach, loadProtos, startGrpcServers } from '../helpers/grpc-servers.js';
import { sleep, until } from '../helpers/lifecycle.js';

const { Echo } = loadProtos();
const { servers, echo } = grpcAfterEach();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('server streams', () => {
  it("the server's response headers (initial metadata) reach the caller's 'metadata' listener", async () => {
    const list = await servers(1);
    list[0]!.count = (call, server) => {
      const headers = new grpc.Metadata();
      headers.set('x-cursor', 'abc');
      call.sendMetadata(headers);
      setTimeout(() => {
        call.write({ text: 'a', server: server.port });
        call.end();
      }, 50);
    };
    const client = echo(list);
    const stream = await client.count({ count: 1 });
    let seen: unknown;
    stream.on('metadata', (m: grpc.Metadata) => { seen = m.get('x-cursor')[0]; });
    const got: string[] = [];
    for await (const m of stream) got.push((m as SayReply__Output).text);
    expect(got).toEqual(['a']);
    // A plain grpc-js server stream emits 'metadata' with these headers; under bulwark it was consumed before the caller got the stream.
    expect(seen).toBe('abc');
  });
});

describe('bidi streams', () => {
  it("a stream the caller cancels before the server's first answer is not a successful attempt", async () => {
    const list = await servers(1);
    list[0]!.chat = () => {}; // answers nothing until the client writes
    const client = echo(list);
    const attempts: AttemptEvent[] = [];
    client.bulwark.on('attempt', (e) => attempts.push(e));
    const chat = await client.chat();
    chat.on('error', () => {});
    await until(() => list[0]!.streams === 1);
    await sleep(100);
    chat.cancel(); // grpc-js's way to abandon a call
    await until(() => attempts.length === 1);
    // The server never answered: the caller's own CANCELLED is no verdict on the endpoint.
    expect(attempts[0]!.verdict).not.toBe('success');
    expect(client.bulwark.stats().endpoints[0]!.successes).toBe(0);
    expect(client.bulwark.stats().calls.succeeded).toBe(0);
  });
});

describe('status codes and health', () => {
  it('a refused connection counts against the endpoint even when codes.unhealthy leaves UNAVAILABLE out (docs/grpc.md table, row 1: "yes")', async () => {
    const list = await servers(3);
    list[0]!.kill();
    const client = echo(list, { codes: { unhealthy: [grpc.status.INTERNAL] } });
    for (let i = 0; i < 12; i++) expect((await client.say({ text: 'x' })).server).not.toBe(list[0]!.port);
    const dead = client.bulwark.stats().endpoints.find((e) => e.id === `http://${list[0]!.address}`)!;
    expect(dead.failures).toBeGreaterThan(0);
    // Default thresholds eject after consecutive failures; a dead server must not stay 'healthy' in rotation.
    expect(dead.health?.status).not.toBe('healthy');
  });
});

describe('registerGrpcResolver', () => {
  function manual(initial: readonly EndpointInit[]): Discovery & { push(list: readonly EndpointInit[]): void } {
    const updates = new Set<(list: readonly EndpointInit[]) => void>();
    return {
      watch(update: (list: readonly EndpointInit[]) => void) {
        updates.add(update);
        queueMicrotask(() => update(initial));
        return () => { updates.delete(update); };
      },
      push(list: readonly EndpointInit[]) {
        for (const u of updates) u(list);
      },
    } as Discovery & { push(list: readonly EndpointInit[]): void };
  }
  function say(client: EchoClient, ms: number): Promise<SayReply__Output> {
    return new Promise((resolve, reject) => client.say({ text: 'x' }, { deadline: Date.now() + ms }, (err, value) => (err ? reject(err) : resolve(value!))));
  }

  it('when discovery reports an empty set, calls fail with UNAVAILABLE instead of waiting (forever without a deadline)', async () => {
    const { servers: list, stop } = await startGrpcServers(1);
    cleanups.push(stop);
    const discovery = manual([list[0]!.address]);
    const registration = registerGrpcResolver('review-empty-set', discovery);
    cleanups.push(() => registration.unregister());
    const client = new Echo(registration.target, grpc.credentials.createInsecure());
    cleanups.push(() => client.close());
    await say(client, 2_000);
    discovery.push([]);
    await sleep(50);
    const started = performance.now();
    const error = (await say(client, 2_000).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
