// What broke (found by the gRPC review): every attempt read the call's serialized request back
// with the client's proto-loader options and had grpc-js serialize that copy again. The round
// trip is lossy under common options: `longs: Number` rounded a 64-bit id given as a decimal
// string to a double (9007199254740993 → …992), and `defaults: true` made proto2 fields the
// caller left unset arrive present, with default values. A bare grpc-js client sends both
// exactly; bulwark now sends the call's own bytes when the round trip would change them.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterEach, describe, expect, it } from 'vitest';
import { createGrpcClient } from '../../src/grpc/index.js';

const PROTO = fileURLToPath(new URL('../fixtures/grpc/exact.proto', import.meta.url));
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

type Store = grpc.ServiceClientConstructor;
function load(options: protoLoader.Options): Store {
  return (grpc.loadPackageDefinition(protoLoader.loadSync(PROTO, options)) as unknown as { exact: { Store: Store } }).exact.Store;
}

/** A server that decodes requests keeping presence and longs exact (`defaults: false`, `longs: String`), and records them. */
async function startStore(failFirst = 0): Promise<{ address: string; seen: Record<string, unknown>[] }> {
  const server = new grpc.Server();
  const seen: Record<string, unknown>[] = [];
  let failures = failFirst;
  const refuse = (): grpc.ServiceError | null => (failures-- > 0 ? Object.assign(new Error('busy'), { code: grpc.status.UNAVAILABLE, details: 'busy', metadata: new grpc.Metadata() }) : null);
  server.addService(load({ keepCase: true, longs: String, defaults: false }).service, {
    Put: (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      seen.push(call.request);
      const err = refuse();
      cb(err, err === null ? { seen: 'ok' } : undefined);
    },
    Watch: (call: grpc.ServerWritableStream<Record<string, unknown>, unknown>) => {
      seen.push(call.request);
      call.write({ seen: 'ok' });
      call.end();
    },
    Load: (call: grpc.ServerReadableStream<Record<string, unknown>, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      call.on('data', (m: Record<string, unknown>) => seen.push(m));
      call.on('end', () => cb(null, { seen: 'ok' }));
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  cleanup.push(() => server.forceShutdown());
  return { address: `127.0.0.1:${port}`, seen };
}

// grpc-node's examples load protos with these options; `longs: Number` is the other common choice.
const EXAMPLES = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };
const REQUEST = { key: 'k', id: '9007199254740993', big: '18446744073709551615' };

describe('bulwark/grpc sends the request as the caller made it', () => {
  it('a unary call, and its retry: 64-bit integers exact under longs: Number, unset proto2 fields unset under defaults: true', async () => {
    const store = await startStore(1);
    for (const options of [{ ...EXAMPLES, longs: Number }, EXAMPLES]) {
      store.seen.length = 0;
      const client = createGrpcClient(load(options), { name: 'store', discovery: [store.address] }) as unknown as { Put(r: unknown): Promise<unknown>; close(): Promise<void> };
      cleanup.push(() => client.close());
      await client.Put(REQUEST);
      expect(store.seen).toEqual([REQUEST, ...(options.longs === Number ? [REQUEST] : [])]); // the first options' run retried once
    }
  });

  it('a bare grpc-js client sends the same (the reference)', async () => {
    const store = await startStore();
    const Store = load({ ...EXAMPLES, longs: Number });
    const bare = new Store(store.address, grpc.credentials.createInsecure()) as unknown as { Put(r: unknown, cb: (e: unknown) => void): void; close(): void };
    cleanup.push(() => bare.close());
    await new Promise<void>((resolve, reject) => bare.Put(REQUEST, (e) => (e ? reject(e) : resolve())));
    expect(store.seen).toEqual([REQUEST]);
  });

  it('a server-streaming call and a client stream from an array', async () => {
    const store = await startStore();
    const client = createGrpcClient(load({ ...EXAMPLES, longs: Number }), { name: 'store', discovery: [store.address] }) as unknown as {
      Watch(r: unknown): Promise<NodeJS.ReadableStream>;
      Load(m: unknown[]): Promise<unknown>;
      close(): Promise<void>;
    };
    cleanup.push(() => client.close());
    const stream = await client.Watch(REQUEST);
    for await (const _ of stream) { /* drain */ }
    await client.Load([REQUEST, { key: 'second' }]);
    expect(store.seen).toEqual([REQUEST, REQUEST, { key: 'second' }]);
  });

  it("a client interceptor's message is still what is sent: one passed on in the request's place, or (when the round trip is exact) the copy changed in place", async () => {
    const store = await startStore();
    const interceptor = (change: (m: Record<string, unknown>) => Record<string, unknown>): grpc.Interceptor => (options, next) =>
      new grpc.InterceptingCall(next(options), { sendMessage: (message, nextMessage) => nextMessage(change(message as Record<string, unknown>)) });
    const cases: [protoLoader.Options, grpc.Interceptor][] = [
      [{ ...EXAMPLES, longs: Number }, interceptor((m) => ({ ...m, key: 'replaced' }))],
      [{ keepCase: true, longs: String, defaults: false }, interceptor((m) => Object.assign(m, { key: 'changed in place' }))],
    ];
    for (const [options, i] of cases) {
      const client = createGrpcClient(load(options), { name: 'store', discovery: [store.address], callOptions: { interceptors: [i] } }) as unknown as { Put(r: unknown): Promise<unknown>; close(): Promise<void> };
      cleanup.push(() => client.close());
      await client.Put(REQUEST);
    }
    expect(store.seen.map((r) => r.key)).toEqual(['replaced', 'changed in place']);
  });
});
