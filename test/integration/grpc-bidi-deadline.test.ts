// What broke (bulwark/grpc): the error a bidi stream's caller sees when its deadline (timeout.total)
// passes before the server's first answer. docs/grpc.md: "The stream's grpc deadline is
// `timeout.total` … All errors arrive on the stream, as with grpc-js". grpc-js ends such a stream
// with DEADLINE_EXCEEDED; under bulwark, whenever bulwark's deadline wheel fires before grpc-js's
// own timer, the attempt's cancel called `call.cancel()` and the caller got CANCELLED
// ("Cancelled on client"), as if it had cancelled the stream itself.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { grpcAfterEach } from '../helpers/grpc-servers.js';

const { servers, echo } = grpcAfterEach();

describe('bidi stream deadline', () => {
  it('a stream whose total deadline passes before the server answers ends with DEADLINE_EXCEEDED, every time', async () => {
    const list = await servers(1);
    list[0]!.chat = () => {}; // answers nothing: waits for messages the caller has not written yet
    const client = echo(list);
    const codes: number[] = [];
    for (let i = 0; i < 20; i++) {
      const chat = await client.chat({ timeout: { total: 100 } });
      codes.push(await new Promise<number>((resolve) => {
        chat.on('error', (e: grpc.ServiceError) => resolve(e.code));
        chat.on('data', () => {});
      }));
    }
    // Which timer fires first is a race: about half of these were CANCELLED (1), the rest DEADLINE_EXCEEDED (4).
    expect(codes.filter((c) => c !== grpc.status.DEADLINE_EXCEEDED)).toEqual([]);
  });
});
