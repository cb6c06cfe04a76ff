// What broke: channelOptions.channelOverride sent every endpoint's calls down one channel.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { grpcAfterEach } from '../helpers/grpc-servers.js';

const { servers, echo, defer } = grpcAfterEach();

describe('channelOptions', () => {
  // channelOptions go to each endpoint's grpc-js Client. grpc-js's `channelOverride` makes that
  // Client use the given channel whatever its address: every endpoint then shares one channel
  // (all calls to one server, the picker's choice meaningless, and the first endpoint removed
  // closes the channel of them all). It should be refused like callOptions.deadline is.
  it('channelOptions.channelOverride is refused with ConfigError (it would send every endpoint’s calls down one channel)', async () => {
    const [a, b] = await servers(2);
    const shared = new grpc.Channel(a!.address, grpc.credentials.createInsecure(), {});
    defer(async () => shared.close());
    let client: ReturnType<typeof echo>;
    try {
      client = echo([a!, b!], { channelOptions: { channelOverride: shared } as never });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return;
    }
    for (let i = 0; i < 4; i++) await client.say({ text: 'x' });
    // Round robin over two endpoints: each should have had calls.
    expect([a!.calls, b!.calls]).toEqual([2, 2]);
  });
});
