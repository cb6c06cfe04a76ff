// What broke: my own channel refuses a request larger than its `grpc.max_send_message_length` before anything is sent, yet bulwark retries it on every endpoint (spending retry budget) and counts a failure against each healthy server; a handful of such calls eject servers that never saw a byte. fetch and undici treat a request their client refuses as "invalid request": one attempt, nobody blamed.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { grpcAfterEach } from '../helpers/grpc-servers.js';

const { servers, echo } = grpcAfterEach();

describe('bulwark/grpc: a request the channel refuses as too large (max_send_message_length)', () => {
  it('is not retried on other endpoints and counts against none', async () => {
    const list = await servers(3);
    // Lookup is NO_SIDE_EFFECTS (idempotent): RESOURCE_EXHAUSTED would be retried if it came from a server.
    const client = echo(list, { channelOptions: { 'grpc.max_send_message_length': 16 } });
    const attempts: string[] = [];
    client.bulwark.on('attempt', (e) => attempts.push(`${e.verdict}: ${e.reason}`));
    const error = (await client.lookup({ text: 'x'.repeat(100) }).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(error.details).toMatch(/larger than 16/);
    expect(list.map((s) => s.calls)).toEqual([0, 0, 0]); // no server saw it
    expect(attempts).toHaveLength(1); // the same request fails on every endpoint alike
    const stats = client.bulwark.stats();
    expect(stats.retries).toBe(0);
    expect(stats.endpoints.map((e) => e.failures)).toEqual([0, 0, 0]);
  });

  it('a few such calls do not eject a healthy server', async () => {
    const list = await servers(3);
    const client = echo(list, { channelOptions: { 'grpc.max_send_message_length': 16 } }); // default health: 5 failures in a row eject
    const ejected: string[] = [];
    client.bulwark.on('health', (e) => { if (e.status === 'ejected') ejected.push(e.endpoint.id); });
    for (let i = 0; i < 6; i++) await client.lookup({ text: 'x'.repeat(100) }).catch(() => undefined);
    expect(ejected).toEqual([]);
    // Small requests still work on every server.
    for (let i = 0; i < 3; i++) await client.lookup({ text: 'ok' });
    expect(list.map((s) => s.calls)).toEqual([1, 1, 1]);
  });
});
