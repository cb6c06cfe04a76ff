// What broke (noticed by the gRPC review): the resolver bridge took what createGrpcClient refuses.
// An entry with a path (`http://h:p/api`) or of another scheme (`redis://h:p`) was called as
// `h:p`, the path dropped, and one address listed twice under two spellings (`h:p` and
// `grpc://h:p`) got twice its share of round_robin. Now such entries are rejected (`onRejected`),
// and an address is given to grpc-js once.
import * as grpc from '@grpc/grpc-js';
import { afterEach, expect, it } from 'vitest';
import type { Discovery, EndpointInit } from '../../src/index.js';
import { registerGrpcResolver } from '../../src/grpc/index.js';
import type { EchoClient } from '../fixtures/grpc/echo-client.js';
import { loadProtos, startGrpcServers, type GrpcTestServer } from '../helpers/grpc-servers.js';

const { Echo } = loadProtos();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const once = (list: readonly EndpointInit[]): Discovery => ({ watch: (update) => { queueMicrotask(() => update(list)); return () => {}; } });
const say = (client: EchoClient): Promise<void> => new Promise((resolve, reject) => client.say({ text: 'x' }, (err) => (err ? reject(err) : resolve())));

it('rejects entries with a path or of another scheme, and gives each address once', async () => {
  const { servers, stop } = await startGrpcServers(2);
  cleanups.push(stop);
  const [a, b] = servers as [GrpcTestServer, GrpcTestServer];
  const rejected: string[] = [];
  const registration = registerGrpcResolver('entries-as-client', once([a.address, `grpc://${a.address}`, b.address, `http://${b.address}/api`, 'redis://10.0.0.1:6379']), {
    onRejected: (entry, reason) => rejected.push(`${entry}: ${reason}`),
  });
  cleanups.push(() => registration.unregister());
  const client = new Echo(registration.target, grpc.credentials.createInsecure());
  cleanups.push(() => client.close());
  for (let i = 0; i < 200 && (a.calls === 0 || b.calls === 0); i++) await say(client);
  const before = [a.calls, b.calls];
  for (let i = 0; i < 20; i++) await say(client);
  expect([a.calls - before[0]!, b.calls - before[1]!]).toEqual([10, 10]); // a listed twice, once as grpc://: still one share
  expect(rejected).toEqual([
    `http://${b.address}/api: gRPC needs a host:port, grpc:// or grpcs:// endpoint without a path; this one has a path`,
    'redis://10.0.0.1:6379: gRPC needs a host:port, grpc:// or grpcs:// endpoint without a path; this one is a redis:// endpoint',
  ]);
});
