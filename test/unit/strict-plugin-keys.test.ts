// Strict option keys outside createClient: picker factories, bulwark/grpc (createGrpcClient and
// its `codes`, registerGrpcResolver) and bulwark/undici (createUndiciClient, bulwarkInterceptor).
// A typo must throw ConfigError naming the factory and the near key, never keep a default.
import * as grpc from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, leastRequest, peakEwma, random, ringHash, roundRobin, weightedRoundRobin, type Client } from '../../src/index.js';
import { murmur3 } from '../../src/pickers/ring-hash.js';
import { createGrpcClient, registerGrpcResolver } from '../../src/grpc/index.js';
import { bulwarkInterceptor, createUndiciClient } from '../../src/undici/index.js';
import { BASE, thrownConfigError } from '../helpers/config-client.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { describeStrictKeys, type StrictCase } from '../helpers/strict-keys.js';

const rnd = (): number => 0.5;
const picker = (name: string, build: (o: never) => unknown, all: Record<string, unknown>, typos: StrictCase['typos']): StrictCase => ({
  name, service: 'bulwark', what: `an option of ${name}`, build: (o) => build(o as never), all, typos,
  unknown: [{ extra: { seed: 'hunter2' }, path: `${name}.seed` }],
});

describeStrictKeys('picker factories refuse unknown option keys', [
  picker('peakEwma', peakEwma, { decay: 5_000, random: rnd, now: () => 0 }, [[{ decy: 5 }, 'peakEwma.decy', 'peakEwma.decay'], [{ Now: () => 0 }, 'peakEwma.Now', 'peakEwma.now']]),
  picker('leastRequest', leastRequest, { choices: 3, random: rnd }, [[{ choice: 3 }, 'leastRequest.choice', 'leastRequest.choices']]),
  picker('ringHash', ringHash, { ringSize: 16, hash: murmur3, random: rnd }, [[{ ringsize: 3 }, 'ringHash.ringsize', 'ringHash.ringSize'], [{ hsh: murmur3 }, 'ringHash.hsh', 'ringHash.hash']]),
  picker('roundRobin', roundRobin, { random: rnd }, [[{ randm: rnd }, 'roundRobin.randm', 'roundRobin.random']]),
  picker('random', random, { random: rnd }, [[{ Random: rnd }, 'random.Random', 'random.random']]),
  picker('weightedRoundRobin', weightedRoundRobin, { random: rnd }, [[{ rnadom: rnd }, 'weightedRoundRobin.rnadom', 'weightedRoundRobin.random']]),
]);

describe('picker factories', () => {
  it('report a typo with the value shown only when it is a number or boolean', () => {
    expect(thrownConfigError(() => peakEwma({ decy: 5 } as never)).message).toBe('bulwark: peakEwma.decy is not an option of peakEwma (did you mean `peakEwma.decay`?), got 5');
    expect(thrownConfigError(() => leastRequest({ choice: '3' } as never)).message).toMatch(/, got "\(hidden\)"$/);
  });
});

const Svc = grpc.makeGenericClientConstructor({}, 'Svc');
const grpcBase = { ...BASE, clock: new FakeClock() };
const closeGrpc = (made: unknown): Promise<void> => (made as { close(): Promise<void> }).close();
const OWN_GRPC = ['credentials', 'channelOptions', 'codes', 'healthService', 'callOptions'];

describeStrictKeys('bulwark/grpc refuses unknown option keys', [
  {
    name: 'createGrpcClient', service: 'svc', what: 'an option of createGrpcClient', base: grpcBase, dispose: closeGrpc,
    build: (o) => createGrpcClient(Svc, o as never),
    // Passed to grpc-js as they are: channelOptions and callOptions take grpc-js's keys, not ours.
    all: { credentials: grpc.credentials.createInsecure(), channelOptions: { 'grpc.keepalive_time_ms': 60_000 }, codes: { retry: [14] }, healthService: '', callOptions: { propagate_flags: 0 }, timeout: { total: 1_000 } },
    typos: [[{ healthservice: 'x' }, 'healthservice', 'healthService'], [{ chanelOptions: {} }, 'chanelOptions', 'channelOptions'], [{ timout: {} }, 'timout', 'timeout']],
    unknown: [{ extra: { tls: 'hunter2' }, path: 'tls', known: ['name', 'discovery', 'retry', ...OWN_GRPC] }],
  },
  {
    name: 'createGrpcClient codes', service: 'svc', what: 'an option of `codes`', dispose: closeGrpc,
    build: (codes) => createGrpcClient(Svc, { ...grpcBase, codes } as never),
    all: { unhealthy: [14, 4], retry: [14], retryIdempotent: [14, 8] },
    typos: [[{ retri: [] }, 'codes.retri', 'codes.retry'], [{ unhealty: [] }, 'codes.unhealty', 'codes.unhealthy']],
    unknown: [{ extra: { ok: 'hunter2' }, path: 'codes.ok' }],
  },
  {
    name: 'registerGrpcResolver', service: 'strict-keys', what: 'an option of registerGrpcResolver',
    build: (o) => registerGrpcResolver('strict-keys', ['127.0.0.1:50051'], o as never),
    dispose: (made) => (made as { unregister(): Promise<void> }).unregister(),
    all: { loadBalancing: 'pick_first', onRejected: () => {}, onError: () => {} },
    typos: [[{ loadBalancng: null }, 'loadBalancng', 'loadBalancing'], [{ onerror: () => {} }, 'onerror', 'onError']],
    unknown: [{ extra: { policy: 'hunter2' }, path: 'policy' }],
  },
]);

const clients: Client[] = [];
afterAll(async () => {
  for (const c of clients) await c.close();
});
const routed = (name: string): Client => {
  const c = createClient({ ...BASE, name, clock: new FakeClock() });
  clients.push(c);
  return c;
};

describeStrictKeys('bulwark/undici refuses unknown option keys', [
  {
    name: 'createUndiciClient', service: 'svc', what: 'an option of createUndiciClient', base: BASE,
    build: (o) => createUndiciClient(o as never), dispose: (made) => (made as Client).close(),
    // `pool` is undici's Pool options, passed through (undici checks them).
    all: { pool: { connections: 2 }, clock: new FakeClock(), retry: { attempts: 2 } },
    typos: [[{ pol: {} }, 'pol', 'pool'], [{ Pool: {} }, 'Pool', 'pool'], [{ retyr: false }, 'retyr', 'retry']],
    unknown: [{ extra: { agent: 'hunter2' }, path: 'agent', known: ['name', 'discovery', 'retry', 'pool'] }],
  },
  {
    name: 'bulwarkInterceptor', service: 'undici', what: 'an option of bulwarkInterceptor',
    build: (o) => bulwarkInterceptor(o as never),
    all: { origins: { 'http://users.internal': routed('users') }, clients: [routed('orders')], key: () => undefined },
    typos: [[{ orgins: {} }, 'orgins', 'origins'], [{ client: [] }, 'client', 'clients'], [{ Key: () => 1 }, 'Key', 'key']],
    unknown: [{ extra: { routes: 'hunter2' }, path: 'routes' }],
  },
]);

describe('wrappers name themselves, not createClient', () => {
  it('createGrpcClient and createUndiciClient suggest their own keys', () => {
    expect(thrownConfigError(() => createGrpcClient(Svc, { ...BASE, healthservice: 'x' } as never)).message)
      .toBe('svc: healthservice is not an option of createGrpcClient (did you mean `healthService`?), got "(hidden)"');
    expect(thrownConfigError(() => createUndiciClient({ ...BASE, pol: {} } as never)).message)
      .toBe('svc: pol is not an option of createUndiciClient (did you mean `pool`?), got "(hidden)"');
  });

  it('still say where a key of the other wrapper or of a call belongs', () => {
    expect(thrownConfigError(() => createGrpcClient(Svc, { ...BASE, pool: {} } as never)).message).toContain('it is an option of createUndiciClient');
    expect(thrownConfigError(() => createUndiciClient({ ...BASE, credentials: {} } as never)).message).toContain('it is an option of createGrpcClient');
    expect(thrownConfigError(() => createUndiciClient({ ...BASE, attempts: 2 } as never)).message).toContain('did you mean `retry.attempts`?');
  });

  it('createGrpcClient refuses fetch, which its calls never use', () => {
    expect(thrownConfigError(() => createGrpcClient(Svc, { ...BASE, fetch: globalThis.fetch } as never)).message).toContain('fetch is not an option of createGrpcClient');
  });
});
