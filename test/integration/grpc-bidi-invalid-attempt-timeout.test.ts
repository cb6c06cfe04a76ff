// What broke: a bidi stream call given an invalid per-call timeout.attempt (-1, '5s', NaN) opens the stream instead of rejecting with ConfigError, as every other call does.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { grpcAfterEach } from '../helpers/grpc-servers.js';

// README, "Per-call options": "Invalid per-call options reject the call with ConfigError naming
// the option, before anything is sent." A unary call (and a bidi call's invalid `timeout.total`)
// does; for a bidi call, bulwark/grpc overwrites `timeout.attempt` with its own value before
// the options are validated, so a bad one is accepted silently and the stream is opened on the
// server (docs/grpc.md: "Per call: … `timeout` …").

const { servers, echo } = grpcAfterEach();

describe('bidi stream per-call timeout', () => {
  it('an invalid timeout.attempt is refused with ConfigError, as for a unary call, and nothing is sent', async () => {
    const list = await servers(1);
    const client = echo(list);
    const unary = await client.say({ text: 'x' }, { timeout: { attempt: -1 } }).catch((e: unknown) => e);
    expect(unary).toBeInstanceOf(ConfigError);
    const total = await client.chat({ timeout: { total: -1 } }).catch((e: unknown) => e);
    expect(total).toBeInstanceOf(ConfigError);
    const bidi = await client.chat({ timeout: { attempt: -1 } }).then((stream) => {
      stream.on('error', () => {});
      stream.cancel();
      return stream;
    }, (e: unknown) => e);
    expect(bidi).toBeInstanceOf(ConfigError);
    expect((bidi as ConfigError).path).toBe('timeout.attempt');
    await new Promise((r) => setTimeout(r, 50));
    expect(list[0]!.streams).toBe(0);
  });
});
