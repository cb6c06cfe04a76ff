// Guards (lifetime review, 2026-11-28): nothing this session added outlives close()/stop().
// Review (lifetime): what a bulwark/grpc client leaves open after close().
import { describe, expect, it } from 'vitest';
import { type EndpointInit } from '../../src/index.js';
import { grpcAfterEach } from '../helpers/grpc-servers.js';
import { openSockets, sleep, until } from '../helpers/lifecycle.js';

const { servers, echo } = grpcAfterEach();

describe('bulwark/grpc close()', () => {
  it('closes every socket, those of a removed endpoint whose stream the caller still holds included', async () => {
    const before = openSockets();
    const [a, b] = await servers(2);
    // Streams that never end by themselves.
    a!.count = (call, server) => { call.write({ text: '0', server: server.port }); };
    b!.count = (call, server) => { call.write({ text: '0', server: server.port }); };
    let push: (list: readonly EndpointInit[]) => void = () => {};
    const client = echo([], {
      discovery: { watch(update) { push = update; update([a!.address, b!.address]); return () => {}; } },
    });
    // Unary calls on both, and a stream on each held by the caller.
    await client.say({ text: 'x' });
    await client.say({ text: 'y' });
    const s1 = await client.count({ count: 1 });
    const s2 = await client.count({ count: 1 });
    const statuses: number[] = [];
    for (const s of [s1, s2]) {
      s.on('data', () => {});
      s.on('error', () => {});
      s.on('status', (st: { code: number }) => statuses.push(st.code));
    }
    await sleep(20);
    const cancelledBefore = a!.cancelled + b!.cancelled;
    // a leaves discovery: its channel waits for the stream.
    push([b!.address]);
    await sleep(20);
    expect(statuses).toEqual([]);
    await client.close();
    await until(() => statuses.length === 2, 2_000);
    // Both server sides saw the streams go, and no socket of the client's is left.
    await until(() => a!.cancelled + b!.cancelled >= cancelledBefore + 2, 2_000);
    await until(() => openSockets() <= before + 2, 3_000).catch(() => {});
    // Only the servers' listening sockets (TCPServerWrap, not counted) remain; no connection is open.
    expect(openSockets()).toBe(before);
  });
});
