// bulwark/grpc regressions found by randomized testing against real grpc-js servers on 127.0.0.1:
// deadlines, client-stream uploads, finished server streams, and how bidi statuses are judged.
import { getEventListeners } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { TimeoutError, type AttemptEvent, type EndpointInit } from '../../src/index.js';
import { createGrpcClient } from '../../src/grpc/index.js';
import type { SayRequest } from '../fixtures/grpc/echo-client.js';
import { countUp, grpcAfterEach, loadProtos, type GrpcTestServer } from '../helpers/grpc-servers.js';
import { openSockets, sleep, until } from '../helpers/lifecycle.js';

const { Echo } = loadProtos();
const { servers, echo, defer } = grpcAfterEach();

/** What a call rejected with (or `undefined` when it resolved). */
async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(() => undefined, (e: unknown) => e);
}

type Handlers = Pick<GrpcTestServer, 'say' | 'join' | 'count' | 'chat'>;

/** A deadline-propagating server: every method answers DEADLINE_EXCEEDED `early` ms before the deadline it was sent. */
function deadlineEarly(early: number): Handlers {
  const later = (call: { getDeadline(): grpc.Deadline }, answer: (status: Partial<grpc.StatusObject>) => void): void => {
    setTimeout(() => answer({ code: grpc.status.DEADLINE_EXCEEDED, details: 'downstream deadline' }), Number(call.getDeadline()) - Date.now() - early);
  };
  return {
    say: (call, callback) => later(call, callback),
    join: (call, callback) => {
      call.on('data', () => {});
      later(call, callback);
    },
    count: (call) => later(call, (status) => call.emit('error', status)),
    chat: (call) => later(call, (status) => call.emit('error', status)),
  };
}

describe('a deadline bulwark set rejects with TimeoutError, never with grpc-js’s DEADLINE_EXCEEDED', () => {
  it('a DEADLINE_EXCEEDED arriving a few ms before the deadline is bulwark’s own: unary, client and server streams', async () => {
    const [only] = await servers(1);
    Object.assign(only!, deadlineEarly(10));
    const client = echo([only!], { health: false, retry: false });
    for (let i = 0; i < 3; i++) {
      const say = await failure(client.say({ text: 'x' }, { timeout: { attempt: 100, total: 5_000 } }));
      expect(say).toBeInstanceOf(TimeoutError);
      expect(say).toMatchObject({ scope: 'attempt' });
      expect(await failure(client.join([{ text: 'x' }], { timeout: { attempt: 100, total: 5_000 } }))).toBeInstanceOf(TimeoutError);
      const count = await failure(client.count({ count: 1 }, { timeout: { attempt: 5_000, total: 100 } }));
      expect(count).toBeInstanceOf(TimeoutError);
      expect(count).toMatchObject({ scope: 'total' });
    }
  });

  it('server streams: the total deadline of a stream that never answers', async () => {
    const [only] = await servers(1);
    only!.count = () => {}; // no headers, no status: grpc-js's timer races bulwark's
    const client = echo([only!], { health: false });
    for (let i = 0; i < 4; i++) {
      const error = await failure(client.count({ count: 1 }, { timeout: { attempt: 5_000, total: 60 + i * 10 } }));
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toMatchObject({ scope: 'total' });
    }
  });

  it('a DEADLINE_EXCEEDED the server chose well before the deadline stays the server’s ServiceError', async () => {
    const [only] = await servers(1);
    Object.assign(only!, deadlineEarly(300));
    const client = echo([only!], { health: false, retry: false });
    const error = await failure(client.say({ text: 'x' }, { timeout: { attempt: 600, total: 5_000 } }));
    expect(error).toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED, details: 'downstream deadline' });
  });

  it('bidi streams: the deadline ends the attempt as a timeout, whichever answered first', async () => {
    const list = await servers(2);
    Object.assign(list[0]!, deadlineEarly(10));
    list[1]!.chat = () => {}; // never answers: grpc-js's timer races bulwark's
    const attempts: AttemptEvent[] = [];
    for (const server of list) {
      const client = echo([server], { health: false });
      client.bulwark.on('attempt', (e) => attempts.push(e));
      for (let i = 0; i < 3; i++) {
        const chat = await client.chat({ timeout: { total: 60 + i * 20 } });
        await new Promise((resolve) => chat.on('error', resolve));
      }
    }
    await until(() => attempts.length === 6);
    expect(attempts.map((a) => a.reason)).toEqual(Array(6).fill('call timeout'));
  });

  it('bidi streams: a call started after reconfigure({ timeout }) takes the new total deadline', async () => {
    const [only] = await servers(1);
    only!.chat = (call) => call.on('data', () => {}); // never answers
    const client = echo([only!], { health: false, timeout: { attempt: 4_000, total: 4_000 } });
    // The channel connects first (a unary call), so the 150 ms below time the bidi call alone
    // (once in CI, on 9c7fd1e, its attempt ended unsent, UNAVAILABLE, instead of timing out; not
    // reproduced since, under load either).
    await client.say({ text: 'connect' });
    const attempts: AttemptEvent[] = [];
    client.bulwark.on('attempt', (e) => attempts.push(e));
    client.bulwark.reconfigure({ timeout: { attempt: 150, total: 150 } });
    const started = performance.now();
    const chat = await client.chat();
    await new Promise((resolve) => chat.on('error', resolve).on('data', () => {}));
    expect(performance.now() - started).toBeLessThan(1_500);
    await until(() => attempts.length === 1);
    expect(attempts[0]).toMatchObject({ reason: 'call timeout' });
  });
});

/** The Echo client class, recording every client-stream call bulwark starts (to look at its listeners). */
function recordingEcho(): { Recording: typeof Echo; calls: grpc.ClientWritableStream<SayRequest>[] } {
  const calls: grpc.ClientWritableStream<SayRequest>[] = [];
  class Recording extends Echo {}
  const make = grpc.Client.prototype.makeClientStreamRequest;
  Object.defineProperty(Recording.prototype, 'makeClientStreamRequest', {
    value(this: grpc.Client, ...args: unknown[]) {
      const call = (make as (...a: unknown[]) => grpc.ClientWritableStream<SayRequest>).apply(this, args);
      calls.push(call);
      return call;
    },
  });
  return { Recording, calls };
}

describe('client-stream uploads', () => {
  it('wait for back-pressure without leaving listeners behind', async () => {
    const [only] = await servers(1);
    only!.join = (call, callback, server) => {
      let n = 0;
      call.on('data', () => n++);
      call.on('end', () => callback(null, { text: String(n), server: server.port }));
    };
    const { Recording, calls } = recordingEcho();
    const users = createGrpcClient(Recording, { name: 'echo', discovery: [only!.address] });
    defer(() => users.close());
    let most = 0;
    let drains = 0;
    const text = 'x'.repeat(1_000);
    function* messages(): Generator<SayRequest> {
      const call = calls[0]!;
      call.on('drain', () => drains++);
      for (let i = 0; i < 5_000; i++) {
        most = Math.max(most, call.listenerCount('status') + call.listenerCount('error'));
        yield { text };
      }
    }
    expect(await users.join(messages())).toMatchObject({ text: '5000' });
    expect(drains).toBeGreaterThan(10); // the upload did wait for back-pressure, many times
    expect(most).toBeLessThanOrEqual(2);
  });

  it('stop reading the caller’s iterable once the call failed, and finish it, even under back-pressure', async () => {
    const [only] = await servers(1);
    only!.join = (_call, callback) => callback({ code: grpc.status.INVALID_ARGUMENT, details: 'refused at once' });
    const client = echo([only!]);
    let finished = false;
    let pulled = 0;
    function* endless(): Generator<SayRequest> {
      try {
        for (;;) {
          pulled++;
          yield { text: 'x'.repeat(1_000) };
        }
      } finally {
        finished = true;
      }
    }
    expect(await failure(client.join(endless()))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await until(() => finished);
    const after = pulled;
    await sleep(50);
    expect(pulled).toBe(after);
  });

  it('stop reading once the server answered, and finish a slow async iterable', async () => {
    const [only] = await servers(1);
    only!.join = (call, callback, server) => call.once('data', () => callback(null, { text: 'enough', server: server.port }));
    const client = echo([only!]);
    let finished = false;
    let pulled = 0;
    async function* slow(): AsyncGenerator<SayRequest> {
      try {
        for (let i = 0; i < 400; i++) {
          pulled++;
          yield { text: 'x' };
          await sleep(5);
        }
      } finally {
        finished = true;
      }
    }
    expect(await client.join(slow())).toMatchObject({ text: 'enough' });
    await until(() => finished);
    expect(pulled).toBeLessThan(400);
  });
});

describe('finished server streams', () => {
  it('an empty stream that ended OK leaves no listener on the caller’s signal', async () => {
    const [only] = await servers(1);
    only!.count = countUp;
    const client = echo([only!]);
    const signal = new AbortController().signal;
    const readAll = async (count: number): Promise<number> => {
      let n = 0;
      for await (const _ of await client.count({ count }, { signal })) n++;
      return n;
    };
    expect(await readAll(2)).toBe(2);
    await until(() => client.bulwark.stats().calls.inflight === 0);
    const before = getEventListeners(signal, 'abort').length;
    for (let i = 0; i < 5; i++) expect(await readAll(0)).toBe(0);
    await until(() => client.bulwark.stats().calls.inflight === 0);
    expect(getEventListeners(signal, 'abort').length).toBe(before);
  });
});

describe('bidi streams: a status before the response headers is judged as a unary call’s', () => {
  /** Refuses every chat with `code` before sending headers; returns the attempt events and the endpoint's failures. */
  async function refusedChats(code: grpc.status, unhealthy?: number[]): Promise<{ attempts: AttemptEvent[]; failures: number }> {
    const [only] = await servers(1);
    only!.chat = (call) => call.emit('error', { code, details: 'refused' });
    const client = echo([only!], unhealthy === undefined ? {} : { codes: { unhealthy } });
    const attempts: AttemptEvent[] = [];
    client.bulwark.on('attempt', (e) => attempts.push(e));
    for (let i = 0; i < 2; i++) {
      const chat = await client.chat();
      await new Promise((resolve) => chat.on('error', resolve));
    }
    await until(() => attempts.length === 2);
    return { attempts, failures: client.bulwark.stats().endpoints[0]!.failures };
  }

  it('a status in codes.unhealthy (RESOURCE_EXHAUSTED, INTERNAL, …) counts against the endpoint', async () => {
    const { attempts, failures } = await refusedChats(grpc.status.RESOURCE_EXHAUSTED);
    expect(attempts.map((a) => [a.verdict, a.reason])).toEqual([['failure', 'RESOURCE_EXHAUSTED'], ['failure', 'RESOURCE_EXHAUSTED']]);
    expect(failures).toBe(2);
  });

  it('any other status (INVALID_ARGUMENT), or one taken out of codes.unhealthy, does not', async () => {
    expect((await refusedChats(grpc.status.INVALID_ARGUMENT)).failures).toBe(0);
    expect((await refusedChats(grpc.status.RESOURCE_EXHAUSTED, [grpc.status.UNAVAILABLE])).failures).toBe(0);
  });
});

describe('channels of removed endpoints', () => {
  it('closes the channel of an endpoint discovery removed, even after removeAllListeners() (the release does not ride on the public event)', async () => {
    const [a, b] = await servers(2);
    let push: (list: readonly EndpointInit[]) => void = () => {};
    const client = echo([], { discovery: { watch(update) { push = update; update([a!.address, b!.address]); return () => {}; } } });
    await client.say({ text: 'x' });
    await client.say({ text: 'y' });
    expect([a!.calls, b!.calls]).toEqual([1, 1]);
    client.bulwark.removeAllListeners();
    const before = openSockets();
    push([a!.address]);
    // The connection to b closes (its client end is one of this process's TCP sockets).
    await until(() => openSockets() < before, 5_000);
    expect((await client.say({ text: 'z' })).server).toBe(a!.port);
  });
});
