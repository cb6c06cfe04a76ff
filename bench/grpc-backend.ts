// gRPC backends for the grpc suite (started by grpc.ts, one process):
//
//   node bench/grpc-backend.ts 3   → 3 grpc-js servers on 127.0.0.1 (free ports), prints {"ports": [N, …]}
//
// Each serves bulwark.test.Echo (test/fixtures/grpc/echo.proto): Say answers at once with the
// request's text. The process exits when its stdin closes (the bench ended or died) or after
// MAX_LIFETIME_MS.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const MAX_LIFETIME_MS = 20 * 60_000;
const PROTO = fileURLToPath(new URL('../test/fixtures/grpc/echo.proto', import.meta.url));

const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(PROTO, { keepCase: true, defaults: true })) as unknown as {
  bulwark: { test: { Echo: grpc.ServiceClientConstructor } };
};
const count = Number(process.argv[2] ?? 3) || 3;
const ports: number[] = [];
for (let i = 0; i < count; i++) {
  const server = new grpc.Server();
  server.addService(pkg.bulwark.test.Echo.service, {
    Say: (call: grpc.ServerUnaryCall<{ text: string }, object>, callback: grpc.sendUnaryData<object>) => callback(null, { text: call.request.text, server: i }),
  });
  ports.push(await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p)))));
}
process.stdout.write(`${JSON.stringify({ ports })}\n`);

const exit = (): never => process.exit(0);
process.stdin.on('end', exit).on('close', exit).resume();
setTimeout(exit, MAX_LIFETIME_MS).unref();
