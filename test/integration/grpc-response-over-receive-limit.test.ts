// What broke (found by the gRPC review): a response larger than the client's own
// `grpc.max_receive_message_length` is refused by grpc-js on the client (RESOURCE_EXHAUSTED,
// "Received message larger than max"), though the server answered correctly. It was judged as
// the server's RESOURCE_EXHAUSTED: a failure of a healthy endpoint, five in a row ejecting it,
// and peak EWMA shunning it from the second. It is now judged as the request grpc-js refuses to
// send is: not retried, and nobody blamed.
import { describe, expect, it } from 'vitest';
import { roundRobin } from '../../src/index.js';
import { grpcAfterEach } from '../helpers/grpc-servers.js';

const { servers, echo } = grpcAfterEach();

describe("a response over the client's max_receive_message_length", () => {
  it('reaches the caller as grpc-js made it, once, and is counted against no server', async () => {
    const list = await servers(2);
    for (const s of list) s.say = (call, cb, srv) => cb(null, { text: call.request.text === 'big' ? 'x'.repeat(4096) : 'small', server: srv.port });
    const client = echo(list, { picker: roundRobin(), channelOptions: { 'grpc.use_local_subchannel_pool': 1, 'grpc.max_receive_message_length': 1024 } });
    const ejected: string[] = [];
    client.bulwark.on('health', (e) => {
      if (e.status === 'ejected') ejected.push(`${e.endpoint.id}: ${e.reason}`);
    });
    for (let i = 0; i < 10; i++) {
      const err = await client.say({ text: 'big' }).then(() => undefined, (e: { code: number; details: string }) => e);
      expect(err?.details).toMatch(/^Received message larger than max/);
    }
    const stats = client.bulwark.stats();
    expect({ ejected, failures: stats.endpoints.map((e) => e.failures), cancelled: stats.endpoints.map((e) => e.cancelled), attempts: stats.attempts }).toEqual({ ejected: [], failures: [0, 0], cancelled: [5, 5], attempts: 10 });
    // A small answer still gets through on both.
    expect((await client.say({ text: 'small' })).text).toBe('small');
  });
});
