// The grpc-js resolver bridge: a plain grpc-js client on `bulwark:///<name>` follows a bulwark
// Discovery, against three real grpc-js servers on 127.0.0.1. Pinned: grpc-js 1.14's experimental resolver API.
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, type Discovery, type EndpointInit } from '../../src/index.js';
import { registerGrpcResolver, SUPPORTED_GRPC_MINOR } from '../../src/grpc/index.js';
import type { EchoClient, SayReply__Output } from '../fixtures/grpc/echo-client.js';
import { loadProtos, startGrpcServers, type GrpcTestServer } from '../helpers/grpc-servers.js';
import { sleep, until } from '../helpers/lifecycle.js';

const { Echo } = loadProtos();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A discovery the test drives by hand, as an adapter would on its source's changes. */
function manual(initial: readonly EndpointInit[]): Discovery & { push(list: readonly EndpointInit[]): void; watchers: number; stopped: number } {
  const updates = new Set<(list: readonly EndpointInit[]) => void>();
  const d = {
    watchers: 0,
    stopped: 0,
    watch(update: (list: readonly EndpointInit[]) => void) {
      d.watchers++;
      updates.add(update);
      queueMicrotask(() => update(initial));
      return () => { d.stopped++; updates.delete(update); };
    },
    push(list: readonly EndpointInit[]) {
      for (const u of updates) u(list);
    },
  };
  return d;
}

function say(client: EchoClient): Promise<SayReply__Output> {
  return new Promise((resolve, reject) => client.say({ text: 'x' }, (err, value) => (err ? reject(err) : resolve(value!))));
}

/** Calls (one at a time) until `done`, at most 200 calls. */
async function callUntil(client: EchoClient, done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await say(client);
}

async function spread(client: EchoClient, servers: readonly GrpcTestServer[], calls: number): Promise<number[]> {
  const before = servers.map((s) => s.calls);
  for (let i = 0; i < calls; i++) await say(client);
  return servers.map((s, i) => s.calls - before[i]!);
}

describe('the bulwark:/// resolver for grpc-js', () => {
  it(`runs on the grpc-js minor it is pinned to (${SUPPORTED_GRPC_MINOR})`, () => {
    const version = (createRequire(import.meta.url)('@grpc/grpc-js/package.json') as { version: string }).version;
    expect(version.startsWith(`${SUPPORTED_GRPC_MINOR}.`)).toBe(true);
  });

  it('a plain grpc-js client follows the discovery: an endpoint added gets traffic, one removed stops getting it', async () => {
    const { servers, stop } = await startGrpcServers(3);
    cleanups.push(stop);
    const [a, b, c] = servers as [GrpcTestServer, GrpcTestServer, GrpcTestServer];
    const discovery = manual([a.address, b.address]);
    const registration = registerGrpcResolver('echo-bridge', discovery);
    cleanups.push(() => registration.unregister());
    expect(registration.target).toBe('bulwark:///echo-bridge');
    const client = new Echo(registration.target, grpc.credentials.createInsecure());
    cleanups.push(() => client.close());

    await callUntil(client, () => a.calls > 0 && b.calls > 0); // both subchannels connected
    expect(await spread(client, servers, 20)).toEqual([10, 10, 0]); // round_robin over the two

    discovery.push([a.address, b.address, `grpc://${c.address}`]);
    await callUntil(client, () => c.calls > 0);
    expect(await spread(client, servers, 30)).toEqual([10, 10, 10]);

    discovery.push([b.address, c.address]);
    await sleep(20); // the resolver hands grpc-js the new list on a later tick
    expect(await spread(client, servers, 20)).toEqual([0, 10, 10]);
    expect(discovery.watchers).toBe(1);
  });

  it('shares one watch between channels, stops it when the last channel closes, and drops bad entries with onRejected', async () => {
    const { servers, stop } = await startGrpcServers(1);
    cleanups.push(stop);
    const rejected: [unknown, string][] = [];
    const discovery = manual(['http://user:secret@bad host:1', servers[0]!.address]);
    const registration = registerGrpcResolver('echo-shared', discovery, { onRejected: (entry, reason) => rejected.push([entry, reason]) });
    cleanups.push(() => registration.unregister());
    const one = new Echo(registration.target, grpc.credentials.createInsecure());
    const two = new Echo(registration.target, grpc.credentials.createInsecure(), { 'grpc.primary_user_agent': 'second' });
    await say(one);
    await say(two);
    expect(discovery.watchers).toBe(1);
    expect(rejected).toHaveLength(1);
    expect(String(rejected[0]![0])).not.toContain('secret');
    one.close();
    two.close();
    await until(() => discovery.stopped === 1);
    expect(discovery.stopped).toBe(1);
  });

  it('stops a discovery written as async watch() (a promise of its stop function) when the last channel closes', async () => {
    const { servers, stop } = await startGrpcServers(1);
    cleanups.push(stop);
    let stopped = 0;
    const discovery = {
      async watch(update: (list: readonly EndpointInit[]) => void) {
        await sleep(5);
        update([servers[0]!.address]);
        return () => { stopped++; };
      },
    } as unknown as Discovery;
    const registration = registerGrpcResolver('echo-async-watch', discovery);
    cleanups.push(() => registration.unregister());
    const client = new Echo(registration.target, grpc.credentials.createInsecure());
    await say(client);
    client.close();
    await until(() => stopped === 1);
    expect(stopped).toBe(1);
  });

  it('an unregistered name fails calls with UNAVAILABLE naming it, and registration is checked', async () => {
    const client = new Echo('bulwark:///nobody-home', grpc.credentials.createInsecure());
    cleanups.push(() => client.close());
    const error = (await say(client).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    expect(error.details).toContain('nobody-home');
    const errors: unknown[] = [];
    const broken = registerGrpcResolver('broken', { watch: () => { throw new Error('source down'); } }, { onError: (e) => errors.push(e) });
    cleanups.push(() => broken.unregister());
    const onBroken = new Echo(broken.target, grpc.credentials.createInsecure());
    cleanups.push(() => onBroken.close());
    const brokenError = (await say(onBroken).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(brokenError.code).toBe(grpc.status.UNAVAILABLE);
    expect(brokenError.details).toContain('discovery failed: source down');
    expect(errors).toHaveLength(1);
    expect(() => registerGrpcResolver('has space', [])).toThrow(ConfigError);
    expect(() => registerGrpcResolver('x', {} as never)).toThrow(/discovery/);
    const r = registerGrpcResolver('twice', []);
    cleanups.push(() => r.unregister());
    expect(() => registerGrpcResolver('twice', [])).toThrow(/already registered/);
  });
});
