// bulwark/grpc unary calls against three real grpc-js servers on 127.0.0.1 (test/fixtures/grpc/echo.proto,
// loaded with proto-loader; the client typed as proto-loader-gen-types writes it).
import * as grpc from '@grpc/grpc-js';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ClientClosedError, ConfigError, TimeoutError, type AttemptEvent, type HealthEvent } from '../../src/index.js';
import { createGrpcClient } from '../../src/grpc/index.js';
import type { SayReply__Output } from '../fixtures/grpc/echo-client.js';
import { fail, grpcAfterEach, loadProtos, reply, type GrpcTestServer } from '../helpers/grpc-servers.js';
import { sleep, until } from '../helpers/lifecycle.js';

const { Echo } = loadProtos();
const fixture = grpcAfterEach();
const three = (): Promise<GrpcTestServer[]> => fixture.servers(3);
const echo = fixture.echo;

/** A server that never answers (until the client goes away). */
const hang: GrpcTestServer['say'] = () => {};

describe('unary calls through bulwark/grpc', () => {
  it('are typed from the generated client, and spread over the three servers by the picker', async () => {
    const servers = await three();
    const client = echo(servers);
    expectTypeOf(client.methods.say).parameter(0).toEqualTypeOf<{ text?: string }>();
    expectTypeOf(client.say).returns.resolves.toEqualTypeOf<SayReply__Output>();
    const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => client.say({ text: `m${i}` })));
    expect(replies.map((r) => r.text)).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`));
    expect(servers.map((s) => s.calls)).toEqual([10, 10, 10]);
    expect(new Set(replies.map((r) => r.server))).toEqual(new Set(servers.map((s) => s.port)));
    // The original proto name and the camelCase one are the same method.
    expect(client.methods.Say).toBe(client.methods.say);
  });

  it('retries UNAVAILABLE on another server and ejects the server returning it', async () => {
    const servers = await three();
    servers[0]!.say = fail(grpc.status.UNAVAILABLE, 'draining');
    const client = echo(servers);
    const health: HealthEvent[] = [];
    client.bulwark.on('health', (e) => health.push(e));
    for (let i = 0; i < 30; i++) expect((await client.say({ text: 'x' })).server).not.toBe(servers[0]!.port);
    expect(health).toMatchObject([{ endpoint: { port: servers[0]!.port }, status: 'ejected' }]);
    const before = servers[0]!.calls;
    expect(before).toBe(5); // the default breaker: 5 consecutive failures
    for (let i = 0; i < 10; i++) await client.say({ text: 'x' });
    expect(servers[0]!.calls).toBe(before);
  });

  it('a killed server costs callers nothing while the others remain, and its refusals feed its health', async () => {
    const servers = await three();
    const client = echo(servers);
    for (let i = 0; i < 6; i++) await client.say({ text: 'warm' }); // every channel connected
    const onKilled: AttemptEvent[] = [];
    client.bulwark.on('attempt', (e) => { if (e.endpoint.port === servers[1]!.port) onKilled.push(e); });
    servers[1]!.kill();
    const results = await Promise.allSettled(Array.from({ length: 60 }, () => client.say({ text: 'x' })));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    // Refused connections: never sent, so retried (Say is not idempotent) and counted against the endpoint.
    expect(onKilled.length).toBeGreaterThan(0);
    expect(onKilled.every((e) => e.verdict === 'retry' && e.reason === 'UNAVAILABLE (not sent)')).toBe(true);
    expect(client.bulwark.stats().budgetExhausted).toBe(0);
    await until(() => client.bulwark.stats().endpoints[1]!.health?.status === 'ejected');
    expect(client.bulwark.stats().endpoints[1]!.health?.status).toBe('ejected');
  });

  it('enforces the attempt deadline: an idempotent call moves on to another server, which sees nothing of the slow one', async () => {
    const servers = await three();
    servers[0]!.say = hang;
    servers[1]!.say = hang;
    const client = echo(servers, { timeout: { attempt: 150, total: 5_000 }, retry: { backoff: { base: 1, cap: 1 } } });
    const started = performance.now();
    // Lookup is `idempotency_level = NO_SIDE_EFFECTS` in the .proto: an attempt timeout is retried.
    const got = await client.lookup({ text: 'x' });
    expect(got.server).toBe(servers[2]!.port);
    expect(performance.now() - started).toBeLessThan(2_000);
    // The timed-out attempts were cancelled on their servers.
    await until(() => servers[0]!.cancelled + servers[1]!.cancelled === servers[0]!.calls + servers[1]!.calls);
    expect(servers[0]!.cancelled + servers[1]!.cancelled).toBe(servers[0]!.calls + servers[1]!.calls);
  });

  it('a non-idempotent call is not retried after its attempt deadline: TimeoutError (attempt), the server sees the cancel', async () => {
    const servers = await three();
    for (const s of servers) s.say = hang;
    const client = echo(servers, { timeout: { attempt: 100, total: 5_000 } });
    const error = await client.say({ text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).scope).toBe('attempt');
    expect(servers.reduce((n, s) => n + s.calls, 0)).toBe(1);
    await until(() => servers.some((s) => s.cancelled === 1));
    expect(servers.reduce((n, s) => n + s.cancelled, 0)).toBe(1);
  });

  it('enforces the total deadline across retries, and the server learns it as a grpc deadline', async () => {
    const servers = await three();
    let seenDeadline = Infinity;
    for (const s of servers) {
      s.say = (call) => { seenDeadline = Math.min(seenDeadline, Number(call.getDeadline()) - Date.now()); };
    }
    // Attempts of 100 ms: the third starts at ≈ 202 ms and runs into the 300 ms total wherever a
    // loaded machine's stalls put its start before ≈ 297 ms (with 120 ms attempts, a 55 ms stall
    // left no room for a third one, and the call ended on the second's own timeout).
    const client = echo(servers, { timeout: { attempt: 100, total: 300 }, retry: { attempts: 10, backoff: { base: 1, cap: 2 } } });
    const started = performance.now();
    const error = await client.lookup({ text: 'x' }).catch((e: unknown) => e);
    const took = performance.now() - started;
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).scope).toBe('total');
    expect(took).toBeGreaterThanOrEqual(299);
    expect(took).toBeLessThan(1_500);
    expect(seenDeadline).toBeLessThanOrEqual(120);
    expect(seenDeadline).toBeGreaterThan(0);
  });

  it('an abort rejects with the reason at once and cancels the call on the server', async () => {
    const servers = await three();
    for (const s of servers) s.say = hang;
    const client = echo(servers);
    const controller = new AbortController();
    const call = client.say({ text: 'x' }, { signal: controller.signal });
    await until(() => servers.some((s) => s.calls === 1));
    const reason = new Error('user went away');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    await until(() => servers.some((s) => s.cancelled === 1));
    expect(servers.reduce((n, s) => n + s.cancelled, 0)).toBe(1);
  });

  it('INVALID_ARGUMENT comes back at once, unchanged, not retried, and does not hurt health', async () => {
    const servers = await three();
    for (const s of servers) s.say = fail(grpc.status.INVALID_ARGUMENT, 'text must not be empty', { 'x-field': 'text' });
    const client = echo(servers);
    for (let i = 0; i < 12; i++) {
      const error = (await client.say({ text: '' }).catch((e: unknown) => e)) as grpc.ServiceError;
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.details).toBe('text must not be empty');
      expect(error.metadata.get('x-field')).toEqual(['text']);
    }
    expect(servers.reduce((n, s) => n + s.calls, 0)).toBe(12);
    // grpc-js's caller stack (bulwark's own frames) is not captured, and the limit is the caller's again.
    const limit = Error.stackTraceLimit;
    const error = (await client.say({ text: '' }).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(error.stack).toMatch(/for call at\nno stack trace available$/);
    expect(Error.stackTraceLimit).toBe(limit);
    const stats = client.bulwark.stats();
    expect(stats.retries).toBe(0);
    expect(stats.endpoints.map((e) => [e.failures, e.health?.status])).toEqual([[0, 'healthy'], [0, 'healthy'], [0, 'healthy']]);
  });

  it('a request that cannot be serialized fails at once (INTERNAL from grpc-js), without blaming an endpoint', async () => {
    const servers = await three();
    const client = echo(servers);
    const error = (await client.say(null as never).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.INTERNAL);
    expect(error.details).toMatch(/serialization failure/);
    expect(servers.reduce((n, s) => n + s.calls, 0)).toBe(0);
    expect(client.bulwark.stats().endpoints.map((e) => e.failures)).toEqual([0, 0, 0]);
  });

  it('passes metadata to the server, a fresh copy on each attempt', async () => {
    const servers = await three();
    const seen: string[][] = [];
    for (const s of servers) {
      s.say = (call, callback, server) => {
        seen.push(call.metadata.get('x-user') as string[]);
        if (seen.length === 1) fail(grpc.status.UNAVAILABLE)(call, callback, server);
        else reply(call, callback, server);
      };
    }
    const client = echo(servers);
    const metadata = new grpc.Metadata();
    metadata.set('x-user', 'ada');
    await client.say({ text: 'x' }, { metadata });
    expect(seen).toEqual([['ada'], ['ada']]);
  });

  it('turns grpc-js retries off on the channels it creates, and gives each endpoint one channel, closed when it leaves or the client closes', async () => {
    const servers = await three();
    const made: { address: string; options: Record<string, unknown>; closed: boolean }[] = [];
    const update: ((list: string[]) => void)[] = [];
    const client = echo(servers, {
      discovery: { watch: (u) => { update.push(u as (list: string[]) => void); u(servers.map((s) => s.address)); return () => {}; } },
      channelOptions: {
        channelFactoryOverride: (address, credentials, options) => {
          const channel = new grpc.Channel(address, credentials, options);
          const entry = { address, options: options as Record<string, unknown>, closed: false };
          made.push(entry);
          const close = channel.close.bind(channel);
          channel.close = () => { entry.closed = true; close(); };
          return channel;
        },
      },
    });
    for (let i = 0; i < 12; i++) await client.say({ text: 'x' });
    expect(made.map((m) => m.address).sort()).toEqual(servers.map((s) => s.address).sort());
    expect(made.every((m) => m.options['grpc.enable_retries'] === 0)).toBe(true);
    update[0]!([servers[1]!.address, servers[2]!.address]);
    expect(made.find((m) => m.address === servers[0]!.address)!.closed).toBe(true);
    expect(made.filter((m) => m.closed)).toHaveLength(1);
    await client.close();
    expect(made.every((m) => m.closed)).toBe(true);
    await expect(client.say({ text: 'x' })).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('close() ends a call in flight with ClientClosedError and cancels it on the server', async () => {
    const servers = await three();
    for (const s of servers) s.say = hang;
    const client = echo(servers);
    const call = client.say({ text: 'x' });
    await until(() => servers.some((s) => s.calls === 1));
    await client.close();
    await expect(call).rejects.toBeInstanceOf(ClientClosedError);
    await until(() => servers.some((s) => s.cancelled === 1));
    expect(servers.reduce((n, s) => n + s.cancelled, 0)).toBe(1);
  });

  it('refuses bad input with ConfigError naming it', async () => {
    const servers = await three();
    expect(() => createGrpcClient({} as never, { name: 'x', discovery: [] })).toThrow(ConfigError);
    expect(() => createGrpcClient(Echo, { name: 'x', discovery: [], codes: { retry: [99] } })).toThrow(/codes\.retry/);
    expect(() => createGrpcClient(Echo, { name: 'x', discovery: [], credentials: 'tls' as never })).toThrow(/credentials/);
    expect(() => createGrpcClient(Echo, { name: 'x', discovery: [], healthService: 'a', health: false })).toThrow(/healthService/);
    // Probes and a check path have no use beside the gRPC check: named as such, not as a check of the user's.
    for (const [health, path] of [[{ probes: 2 }, 'health.probes'], [{ checks: { path: '/h' } }, 'health.checks.path']] as const) {
      let error: unknown;
      try {
        createGrpcClient(Echo, { name: 'x', discovery: [], healthService: 'a', health });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ path, message: expect.stringContaining('with healthService') });
      expect((error as Error).message).not.toMatch(/custom health\.checks\.check/);
    }
    const client = echo(servers);
    await expect(client.say({ text: 'x' }, { metadata: { 'x-a': '1' } as never })).rejects.toThrow(/metadata must be a grpc-js Metadata/);
    await expect(client.say({ text: 'x' }, { timeout: { total: -1 } })).rejects.toBeInstanceOf(ConfigError);
    expect(servers.reduce((n, s) => n + s.calls, 0)).toBe(0);
    await sleep(0);
  });
});
