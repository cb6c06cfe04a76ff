// What broke (bulwark/grpc): docs/grpc.md — "Every method of the service becomes a promise-returning
// function … under both its proto name and its camelCase name". createGrpcClient added the camelCase
// name only when `!(originalName in methods)`: `in` looked up Object.prototype too, so an rpc whose
// camelCase name is `toString`, `valueOf`, `hasOwnProperty`, … was only under its proto name, and
// `client.toString(request)` was Object.prototype.toString. grpc-js's own generated client has them.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterEach, describe, expect, it } from 'vitest';
import { createGrpcClient } from '../../src/grpc/index.js';

const proto = fileURLToPath(new URL('../fixtures/grpc/names.proto', import.meta.url));
const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(proto)) as unknown as { review: { names: { Names: grpc.ServiceClientConstructor } } };
const Names = pkg.review.names.Names;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('method names', () => {
  it('an rpc whose camelCase name is on Object.prototype (toString, valueOf) is there by that name too', async () => {
    const server = new grpc.Server();
    const echo = (call: grpc.ServerUnaryCall<{ text: string }, { text: string }>, cb: grpc.sendUnaryData<{ text: string }>): void => cb(null, { text: `got ${call.request.text}` });
    server.addService(Names.service, { ToString: echo, ValueOf: echo });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    cleanups.push(() => server.forceShutdown());
    const client = createGrpcClient(Names, { name: 'names', discovery: [`127.0.0.1:${port}`] });
    cleanups.push(() => client.close());
    // grpc-js's own client has the rpc under its camelCase name.
    expect(typeof new Names(`127.0.0.1:${port}`, grpc.credentials.createInsecure()).toString).toBe('function');
    // Read as a plain record: on the type, `toString` and `valueOf` are Object's own members.
    const methods = client.methods as Record<string, unknown>;
    expect(Object.hasOwn(methods, 'toString')).toBe(true);
    expect(methods['toString']).toBe(methods['ToString']);
    expect(methods['valueOf']).toBe(methods['ValueOf']);
    const toString = methods['toString'] as (request: { text: string }) => unknown;
    await expect(toString({ text: 'x' })).resolves.toEqual({ text: 'got x' });
  });
});
