// bulwark/grpc: a grpc-js service behind bulwark's picker, retries, deadlines and health, on three
// local grpc-js servers (examples/grpc/greeter.proto, loaded with proto-loader). One server is
// draining (UNAVAILABLE), one reports NOT_SERVING on grpc.health.v1: neither costs the caller
// anything. Then the resolver bridge: a plain grpc-js client on `bulwark:///greeter`.
//
//   npm run examples -- grpc    (builds dist/, then runs it on the repository's Node 24;
//   or, once built: node_modules/.bin/node examples/grpc.ts)
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { roundRobin } from 'bulwark';
import { createGrpcClient, registerGrpcResolver, type ServiceClientConstructor } from 'bulwark/grpc';

const dir = fileURLToPath(new URL('./grpc/', import.meta.url));
const load = (file: string): grpc.GrpcObject => grpc.loadPackageDefinition(protoLoader.loadSync(dir + file, { keepCase: true, defaults: true }));
// The client's type, as `proto-loader-gen-types` writes it (only the overload bulwark reads is kept).
interface GreetReply { message: string; server: string }
interface GreeterClient extends grpc.Client {
  Greet(argument: { name?: string }, callback: grpc.requestCallback<GreetReply>): grpc.ClientUnaryCall;
  Lookup(argument: { name?: string }, callback: grpc.requestCallback<GreetReply>): grpc.ClientUnaryCall;
  Countdown(argument: { from?: number }, options?: grpc.CallOptions): grpc.ClientReadableStream<GreetReply>;
}
const Greeter = (load('greeter.proto').demo as grpc.GrpcObject).Greeter as unknown as ServiceClientConstructor<GreeterClient>;
const Health = ((load('health.proto').grpc as grpc.GrpcObject).health as grpc.GrpcObject).v1 as grpc.GrpcObject;

type Mode = 'ok' | 'draining' | 'not-serving';
interface Backend { name: string; address: string; calls: number; server: grpc.Server }

async function startBackend(name: string, mode: Mode): Promise<Backend> {
  const server = new grpc.Server();
  const backend: Backend = { name, address: '', calls: 0, server };
  const greet: grpc.handleUnaryCall<{ name: string }, object> = (call, callback) => {
    backend.calls++;
    if (mode === 'draining') callback({ code: grpc.status.UNAVAILABLE, details: `${name} is draining` });
    else if (call.request.name === '') callback({ code: grpc.status.INVALID_ARGUMENT, details: 'name must not be empty' });
    else callback(null, { message: `hello ${call.request.name}`, server: name });
  };
  server.addService(Greeter.service, {
    Greet: greet,
    Lookup: greet,
    Countdown: (call: grpc.ServerWritableStream<{ from: number }, object>) => {
      for (let i = call.request.from; i > 0; i--) call.write({ message: String(i), server: name });
      call.end();
    },
  });
  server.addService((Health.Health as grpc.ServiceClientConstructor).service, {
    Check: (_call: unknown, callback: grpc.sendUnaryData<object>) => callback(null, { status: mode === 'not-serving' ? 'NOT_SERVING' : 'SERVING' }),
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  backend.address = `127.0.0.1:${port}`;
  return backend;
}

const backends = [await startBackend('a', 'ok'), await startBackend('b', 'draining'), await startBackend('c', 'not-serving')];

const greeter = createGrpcClient(Greeter, {
  name: 'greeter',
  discovery: backends.map((b) => `grpc://${b.address}`), // or plain 'host:port'; grpcs:// for TLS
  picker: roundRobin(),
  timeout: { attempt: 500, total: 2_000 },
  // Active checks over grpc.health.v1.Health/Check; quick ones, for the example.
  healthService: 'demo.Greeter',
  // c fails its checks and b's breaker opens: with one of three endpoints left, the default
  // panic threshold (50 %) would spread calls over all three again, as Envoy does; 30 % keeps
  // them on a.
  health: { checks: { interval: 50, unhealthyThreshold: 1 }, maxEjectionPercent: 50, panicThreshold: 30 },
});
greeter.bulwark.on('health', (e) => console.log(`health: ${e.endpoint.id} ${e.status} (${e.reason})`));
greeter.bulwark.on('retry', (e) => console.log(`retry after ${e.reason} on ${e.endpoint.id}`));

// Give the checks a moment to find the NOT_SERVING server.
await new Promise((resolve) => setTimeout(resolve, 300));

for (let i = 0; i < 6; i++) {
  const reply = await greeter.Greet({ name: `caller ${i}` });
  assert.equal(reply.server, 'a'); // b fails over to a; c is ejected by its health check
}
assert.equal(backends[2]!.calls, 0);
console.log(`6 calls answered by a; b saw ${backends[1]!.calls} (retried elsewhere), c saw none`);

// A status the server chose comes back unchanged, at once, and is not retried.
const before = backends[0]!.calls;
const error = (await greeter.Greet({ name: '' }).catch((e: unknown) => e)) as grpc.ServiceError;
assert.equal(error.code, grpc.status.INVALID_ARGUMENT);
assert.equal(error.details, 'name must not be empty');
assert.equal(backends[0]!.calls, before + 1);
console.log(`INVALID_ARGUMENT returned as is: ${error.details}`);

// A server stream: picked and retried like a unary call until the server answers, then yours.
const stream = await greeter.Countdown({ from: 3 });
const counted: string[] = [];
for await (const m of stream) counted.push((m as GreetReply).message);
assert.deepEqual(counted, ['3', '2', '1']);
console.log(`countdown: ${counted.join(' ')}`);
await greeter.close();

// The resolver bridge: keep your own grpc-js client, get bulwark discovery.
const { target, unregister } = registerGrpcResolver('greeter', [backends[0]!.address]);
const plain = new Greeter(target, grpc.credentials.createInsecure());
const viaResolver = await new Promise<GreetReply>((resolve, reject) => plain.Greet({ name: 'bridge' }, (e, r) => (e ? reject(e) : resolve(r!))));
assert.equal(viaResolver.server, 'a');
console.log(`plain grpc-js client on ${target} answered by ${viaResolver.server}`);
plain.close();
await unregister();

for (const b of backends) b.server.forceShutdown();
