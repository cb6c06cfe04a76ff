// What broke: open server and bidi streams did not count in their endpoint's `inflight` once established (the attempt ended there), so leastRequest(), which the README recommends for streams, kept sending new streams to an endpoint already holding 10 open ones, and stats() showed inflight 0 everywhere.
//
// README, pickers table: leastRequest() is for when "latency is a poor signal (long polls,
// streams)", and sends each attempt to the candidate "with the fewest requests in flight". Under
// bulwark/grpc a server (or bidi) stream's attempt ends when the stream is established (response
// headers); the stream now holds its endpoint (`AttemptHandle.hold`, kept by `OpenStreams` in
// src/grpc/call-life.ts) until its status, or close(), releases it exactly once. Latency and
// health still measure establishment. Real grpc-js servers on 127.0.0.1.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { leastRequest, type Discovery, type EndpointInit } from '../../src/index.js';
import { grpcAfterEach } from '../helpers/grpc-servers.js';
import { until } from '../helpers/lifecycle.js';

const { servers, echo } = grpcAfterEach();

describe('open streams count in their endpoint’s inflight', () => {
  it('leastRequest: a new endpoint gets the new streams while the old one holds 10 open ones', async () => {
    const list = await servers(2);
    // Each stream sends one message and stays open (a watch, a subscription).
    for (const s of list) s.count = (call, server) => { call.write({ text: 'hello', server: server.port }); };
    let push: (endpoints: readonly EndpointInit[]) => void = () => {};
    const discovery: Discovery = {
      watch: (update) => {
        push = update;
        update([list[0]!.address]);
        return () => {};
      },
    };
    const client = echo(list, { discovery, picker: leastRequest() });
    const streams: grpc.ClientReadableStream<unknown>[] = [];
    const open = async (): Promise<void> => {
      const stream = await client.count({ count: 1 });
      stream.on('error', () => {});
      streams.push(stream);
    };
    for (let i = 0; i < 10; i++) await open();
    expect(list.map((s) => s.streams)).toEqual([10, 0]);

    // A second endpoint joins: it has nothing in flight, the first has 10 open streams.
    push([list[0]!.address, list[1]!.address]);
    await until(() => client.bulwark.endpoints().length === 2);
    for (let i = 0; i < 10; i++) await open();

    // 20 streams are running: the stats should say so, per endpoint.
    expect(client.bulwark.stats().endpoints.map((e) => e.inflight)).toEqual([10, 10]);
    // With the 10 open streams counted, every new stream goes to the idle endpoint.
    expect(list.map((s) => s.streams)).toEqual([10, 10]);
  });

  it('a server or bidi stream stops counting once, however it ends: cancel, abort, the server’s end or error, close()', async () => {
    const list = await servers(1);
    // Count: one message, then open until `request.count` says otherwise (2: an error, 3: OK).
    list[0]!.count = (call, server) => {
      call.write({ text: 'hello', server: server.port });
      if (call.request.count === 2) setTimeout(() => call.emit('error', { code: grpc.status.INTERNAL, details: 'later' }), 20);
      if (call.request.count === 3) setTimeout(() => call.end(), 20);
    };
    const client = echo(list);
    const inflight = (): number => client.bulwark.stats().endpoints[0]!.inflight;
    const opened = async (count: number, signal?: AbortSignal): Promise<grpc.ClientReadableStream<unknown>> => {
      const stream = await client.count({ count }, { signal });
      stream.on('error', () => {}).on('data', () => {});
      return stream;
    };

    const cancelled = await opened(1);
    const controller = new AbortController();
    await opened(1, controller.signal);
    await opened(2); // the server fails it after its first message
    await opened(3); // the server ends it
    const kept = await opened(1); // until close()
    // A bidi stream counts from its attempt's start, and on past its first answer.
    const chat = await client.chat();
    chat.on('error', () => {});
    const answered = new Promise((resolve) => chat.once('data', resolve));
    chat.write({ text: 'hi' });
    await answered;
    expect(inflight()).toBe(6);

    await until(() => inflight() === 4); // the server's error and end
    cancelled.cancel();
    await until(() => inflight() === 3);
    controller.abort();
    await until(() => inflight() === 2);
    chat.end(); // the server ends its side too: status OK
    await until(() => inflight() === 1);
    expect(kept.destroyed).toBe(false);

    const endpoint = client.bulwark.stats().endpoints[0]!;
    // The attempts are all over: only the open stream counts beyond them.
    expect(endpoint.successes + endpoint.failures + endpoint.cancelled).toBe(client.bulwark.stats().attempts);
    const live = client.bulwark.endpoints()[0] as { inflight?: number };
    await client.close();
    await until(() => live.inflight === 0);
    // Released once each: nothing goes below zero when the cancelled streams' statuses arrive.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(live.inflight).toBe(0);
  });
});
